/** The autodiff plugin for webpack: `plugins: [autodiff()]`. */
import { autodiff } from './index.js';

export default autodiff.webpack;
