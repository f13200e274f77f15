import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { metricsRegistry, startProcessMetrics } from '@statusync/core';
import { QUEUE_METRICS } from '@statusync/queue';
import { parse } from 'yaml';

const ROOT = join(__dirname, '..', '..');
/** Labels every series gets from us (`service`) or from Prometheus's scrape (`job`, `instance`). */
const COMMON_LABELS = ['service', 'job', 'instance'];
/** Prometheus's own series, present for every target. */
const PROMETHEUS_SERIES: Record<string, string[]> = { up: [] };

/** Every series name the services export, with its labels (histograms as _bucket/_sum/_count). */
async function exportedSeries(): Promise<Map<string, string[]>> {
  startProcessMetrics('test');
  const series = new Map<string, string[]>(Object.entries({ ...PROMETHEUS_SERIES, ...QUEUE_METRICS }).map(([name, labels]) => [name, [...labels]]));
  for (const metric of await metricsRegistry.getMetricsAsJSON()) {
    const labels = [...((metricsRegistry.getSingleMetric(metric.name) as unknown as { labelNames?: string[] }).labelNames ?? [])];
    if (String(metric.type) === 'histogram') {
      series.set(`${metric.name}_bucket`, [...labels, 'le']);
      series.set(`${metric.name}_sum`, labels);
      series.set(`${metric.name}_count`, labels);
    } else {
      series.set(metric.name, labels);
    }
  }
  return series;
}

interface PromqlProblem {
  expr: string;
  problem: string;
}

/** Parses `expr` with the Prometheus project's own PromQL grammar; returns syntax errors and unknown series/labels. */
function checkPromql(expr: string, series: Map<string, string[]>): PromqlProblem[] {
  const problems: PromqlProblem[] = [];
  const tree = parser.parse(expr);
  tree.iterate({
    enter: (node) => {
      if (node.type.isError) problems.push({ expr, problem: `syntax error at ${node.from}: "${expr.slice(node.from, node.from + 20)}"` });
      if (node.name !== 'VectorSelector') return;
      const name = node.node.getChild('Identifier');
      if (!name) return;
      const metric = expr.slice(name.from, name.to);
      const labels = series.get(metric);
      if (!labels) return void problems.push({ expr, problem: `unknown series ${metric}` });
      for (const matcher of node.node.getChild('LabelMatchers')?.getChildren('UnquotedLabelMatcher') ?? []) {
        const label = matcher.getChild('LabelName');
        const text = label ? expr.slice(label.from, label.to) : '';
        if (!labels.includes(text) && !COMMON_LABELS.includes(text)) problems.push({ expr, problem: `${metric} has no label ${text}` });
      }
    },
  });
  return problems;
}

describe('deploy/prometheus/alerts.yml', () => {
  interface Rule {
    alert?: string;
    expr?: string;
    for?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  }
  const rules = (parse(readFileSync(join(ROOT, 'deploy/prometheus/alerts.yml'), 'utf8')) as { groups: { name: string; rules: Rule[] }[] }).groups;

  it('has the structure Prometheus loads: named groups of alerting rules with severity and summary', () => {
    expect(rules.length).toBeGreaterThan(0);
    const names = rules.flatMap((group) => group.rules.map((rule) => rule.alert));
    expect(new Set(names).size).toBe(names.length);
    for (const group of rules) {
      expect(group.name).toMatch(/^statusync-/);
      for (const rule of group.rules) {
        expect(Object.keys(rule).sort()).toEqual(['alert', 'annotations', 'expr', 'for', 'labels']);
        expect(rule.alert).toMatch(/^Statusync[A-Za-z]+$/);
        expect(rule.for).toMatch(/^\d+[smhd]$/);
        expect(['page', 'ticket']).toContain(rule.labels?.severity);
        expect(rule.annotations?.summary).toBeTruthy();
      }
    }
  });

  it('covers queue age, failure ratio and calendar errors', () => {
    const exprs = rules.flatMap((group) => group.rules.map((rule) => rule.expr ?? '')).join('\n');
    for (const series of ['statusync_queue_oldest_waiting_seconds', 'statusync_sync_jobs_failed_total', 'statusync_calendar_poll_errors_total']) {
      expect(exprs).toContain(series);
    }
  });

  it('has only valid PromQL over series the services export, with labels they carry', async () => {
    const series = await exportedSeries();
    const problems = rules.flatMap((group) => group.rules.flatMap((rule) => checkPromql(rule.expr ?? '', series)));
    expect(problems).toEqual([]);
  });

  it('the checker itself catches a typo in a series, a label and the syntax', async () => {
    const series = await exportedSeries();
    expect(checkPromql('rate(statusync_sync_jobs_failed_totl[5m])', series)).toHaveLength(1);
    expect(checkPromql('statusync_queue_jobs{stat="waiting"}', series)).toHaveLength(1);
    expect(checkPromql('sum(rate(statusync_sync_jobs_failed_total[5m]) by (platform)', series).length).toBeGreaterThan(0);
  });
});

describe('deploy/grafana/statusync.json', () => {
  interface Panel {
    id: number;
    title: string;
    targets: { expr: string }[];
  }
  const dashboard = JSON.parse(readFileSync(join(ROOT, 'deploy/grafana/statusync.json'), 'utf8')) as { uid: string; panels: Panel[] };

  it('queries only exported series with valid PromQL (Grafana variables given sample values)', async () => {
    const series = await exportedSeries();
    expect(dashboard.uid).toBe('statusync');
    expect(new Set(dashboard.panels.map((panel) => panel.id)).size).toBe(dashboard.panels.length);
    const problems = dashboard.panels.flatMap((panel) =>
      panel.targets.flatMap((target) => checkPromql(target.expr.replaceAll('$__rate_interval', '5m'), series).map((problem) => ({ panel: panel.title, ...problem }))),
    );
    expect(problems).toEqual([]);
  });

  it('shows every exported Statusync series on some panel', async () => {
    const series = [...(await exportedSeries()).keys()].filter((name) => name.startsWith('statusync_') && !/_(sum|count)$/.test(name));
    const exprs = dashboard.panels.flatMap((panel) => panel.targets.map((target) => target.expr)).join('\n');
    expect(series.filter((name) => !exprs.includes(name.replace(/_bucket$/, '')))).toEqual([]);
  });
});
