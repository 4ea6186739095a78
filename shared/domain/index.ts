// The pure domain core of vaultlink (DESIGN.md "Layout"): plain data in, plain data out.
export * from './ids';
export * from './model';
export * from './endpoints';
export * from './dns';
export * from './rbac';
export * from './approval';
export * from './checklist';
export * from './findings';
export * from './events';
