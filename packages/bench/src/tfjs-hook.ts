/**
 * A Node module-resolution hook for TensorFlow.js. tfjs-core registers its
 * gradients only from its ES-module build (`dist/register_all_gradients.js`),
 * whose relative imports omit the `.js` extension that Node's ES module loader
 * requires; the bundled CommonJS build that `@tensorflow/tfjs-core` resolves
 * to has kernels but no gradients. This hook adds the extension for imports
 * inside tfjs-core's dist folder only. (Registries are global in tfjs, so
 * gradients registered by the ES build serve the CommonJS engine.)
 */
type Resolved = { url: string };
type NextResolve = (specifier: string, context: { parentURL?: string }) => Promise<Resolved>;

export async function resolve(specifier: string, context: { parentURL?: string }, next: NextResolve): Promise<Resolved> {
  const parent = context.parentURL ?? '';
  if (parent.includes('/@tensorflow/tfjs-core/dist/') && /^\.\.?\//.test(specifier) && !specifier.endsWith('.js')) {
    try {
      return await next(`${specifier}.js`, context);
    } catch {
      return next(`${specifier}/index.js`, context);
    }
  }
  return next(specifier, context);
}
