/**
 * Model-directory I/O lives beside the models: {@link ../models/model-dir.ts}. This path stays for the code and
 * the users that import it from here.
 */
export * from '../models/model-dir.js';
