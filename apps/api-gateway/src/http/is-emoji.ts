import { emojiProblem, EmojiRules } from '@statusync/platforms';
import { registerDecorator } from 'class-validator';

/**
 * A `:shortcode:` or a Unicode emoji the dataset knows (emojibase-data). By default it must have a Slack name,
 * since it may be sent to Slack; `allowCustom` lets unknown shortcodes through (Slack overrides: workspace emoji).
 */
export function IsEmoji(rules: EmojiRules = { needsSlackName: true }) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isEmoji',
      target: object.constructor,
      propertyName,
      validator: {
        validate: (value: unknown) => typeof value === 'string' && emojiProblem(value, rules) === null,
        defaultMessage: (args) => `${propertyName} ${typeof args?.value === 'string' ? emojiProblem(args.value, rules) : 'must be a string'}`,
      },
    });
}
