// `npm run keys:rotate`: re-encrypts every stored token with the newest key of TOKEN_ENCRYPTION_KEYS.
// Procedure (docs/security.md): 1. deploy TOKEN_ENCRYPTION_KEYS=<new>,<old> to every service; 2. run this
// (resumable, safe while the services run); 3. drop <old> from TOKEN_ENCRYPTION_KEYS.
import { loadConfig, runMain, TokenCipher } from '@statusync/core';
import { dataSourceOptions, rotateTokenKeys, SYSTEM_ROLE } from '@statusync/db';
import { DataSource } from 'typeorm';

runMain('keys:rotate', async () => {
  const config = loadConfig();
  const db = new DataSource(dataSourceOptions({ url: config.database.url, schema: config.database.schema, poolSize: 2, role: SYSTEM_ROLE }));
  await db.initialize();
  try {
    const keyIds = config.tokenEncryptionKeys.map((key) => key.id);
    const result = await rotateTokenKeys(db, new TokenCipher(config.tokenEncryptionKeys), keyIds);
    process.stdout.write(
      `rotated ${result.rotated} secret(s) to key ${keyIds[0]}; ${result.unknownKey} sealed with an unconfigured key; ${result.undecryptable} undecryptable\n`,
    );
    if (result.unknownKey > 0 || result.undecryptable > 0) process.exitCode = 2;
  } finally {
    await db.destroy();
  }
});
