export declare const root: string;
export declare const distMain: string;
export declare function distIsFresh(): boolean;
