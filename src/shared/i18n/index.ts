/** Languages, formats and reasons shared by the window, the tray, the report and the command. */
export * from './lang';
export * from './format';
export * from './reason';
export * from './words';
