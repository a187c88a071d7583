/** The autodiff plugin for vite: `plugins: [autodiff()]`. */
import { autodiff } from './index.js';

export default autodiff.vite;
