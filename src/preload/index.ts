import { contextBridge } from 'electron';
contextBridge.exposeInMainWorld('constellation', {});
