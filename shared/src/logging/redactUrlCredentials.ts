/**
 * A connection URL fit for a log line: the user and password (everything between `//` and the last
 * `@` of the authority) become `***`. A password with a raw `@` in it is hidden whole.
 */
export const redactUrlCredentials = (url: string): string => url.replace(/\/\/[^/]*@/, '//***@');
