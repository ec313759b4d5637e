// Where a line the server writes on stderr belongs in the "Claif" output channel: no `vscode` import, so it is
// unit-tested under plain Node.
//
// The server's own log records reach the editor as `window/logMessage` once it is initialized, each at its own
// level; with a verbose `--log-level` and no log file, loguru writes the same records on stderr too. The language
// client shows every stderr line as an error, so each record appeared twice, once as `[error]`.

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** One line of loguru's format in claif_lsp/logs.py: "12:00:01.123 INFO    claif_lsp.server: started". */
const RECORD = /^\d\d:\d\d:\d\d\.\d{3} (TRACE|DEBUG|INFO|SUCCESS|WARNING|ERROR|CRITICAL)\s+(\S+): /;

const LEVELS: Record<string, LogLevel> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  SUCCESS: 'info',
  WARNING: 'warn',
  ERROR: 'error',
  CRITICAL: 'error',
};

/** True for claif-lsp's and providers' loggers: the ones the server forwards as `window/logMessage`. */
const forwardedLogger = (name: string) => /^(claif|providers)/.test(name) && !name.includes('pygls');

/**
 * How to log a stderr line: at its record's level, or not at all when the server also sent it as
 * `window/logMessage` (`forwarding`: the client is running, so the server forwards its records). Anything else
 * (a traceback, a library's record, output before the server started) stays an error: that is what stderr is for.
 */
export function stderrLine(line: string, forwarding: boolean): { level: LogLevel; text: string } | undefined {
  if (!line.trim()) return undefined;
  const match = RECORD.exec(line);
  if (!match) return { level: 'error', text: line };
  if (forwarding && forwardedLogger(match[2])) return undefined;
  return { level: LEVELS[match[1]], text: line };
}
