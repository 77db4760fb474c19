/* scripts/app.js, the app runner cdktf.json uses: transpile cache never runs stale code. */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const runner = path.resolve(__dirname, '..', 'scripts', 'app.js');

describe('app runner', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-runner-'));
  const cache = path.join(dir, '.cache');
  const run = () => spawnSync(process.execPath, [runner, 'main.ts'], { cwd: dir, encoding: 'utf8', env: { ...process.env, CDKTF_MLOPS_APP_CACHE: cache } });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('runs TypeScript, reuses its cache, and runs an edited file\'s new content', () => {
    fs.writeFileSync(path.join(dir, 'main.ts'), "import { value } from './lib';\nconst n: number = value;\nconsole.log(`value=${n}`);\n");
    fs.mkdirSync(path.join(dir, 'lib'));
    fs.writeFileSync(path.join(dir, 'lib', 'index.ts'), 'export const value: number = 1;\n');
    // A compiled lib/index.js from an earlier build must not shadow the source.
    fs.writeFileSync(path.join(dir, 'lib', 'index.js'), 'exports.value = "stale build output";\n');
    expect(run().stdout).toBe('value=1\n');
    expect(run().stdout).toBe('value=1\n');
    fs.writeFileSync(path.join(dir, 'lib', 'index.ts'), 'export const value: number = 2;\n');
    expect(run().stdout).toBe('value=2\n');
  });

  test('maps the stack trace of an uncaught error to the TypeScript line', () => {
    fs.writeFileSync(path.join(dir, 'main.ts'), 'interface A { x: number }\n\nconst a: A = { x: 1 };\nif (a.x === 1) {\n  throw new Error(`boom ${a.x}`);\n}\n');
    const result = run();
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Error: boom 1');
    expect(result.stderr).toContain(`${path.join(dir, 'main.ts')}:5:`);
  });
});
