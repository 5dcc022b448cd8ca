/** The only address the web host binds (reach it from elsewhere through an SSH tunnel). */
export const LOOPBACK = '127.0.0.1';
