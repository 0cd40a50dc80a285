/**
 * The connection string of `database` on the server of `serverUrl`, optionally as another login:
 * same host, port and query parameters (a unix socket `host=` keeps working).
 */
export function connectionUrl(serverUrl: string, database: string, login?: { user: string; password: string }): string {
  const url = new URL(serverUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  if (login) {
    url.username = encodeURIComponent(login.user);
    url.password = encodeURIComponent(login.password);
  }
  return url.toString();
}
