/** Types for scripts/start.mjs (plain Node ESM, so `npm start` needs no build step itself). */
export declare const MIN_NODE: [number, number];
export declare function findElectronBinary(projectDir: string, env?: NodeJS.ProcessEnv): string | null;
export declare function nodeIsRecentEnough(version?: string): boolean;
export declare function explainMissing(state: { binary: string | null; nodeOk: boolean; nodeVersion?: string }): string;
export declare function needsBuild(projectDir: string, outputs: string[], sources: string[]): boolean;
