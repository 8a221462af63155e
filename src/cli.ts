// The command line's entry (bin/tongbao.js calls it): everything is in commands/.
export { main } from './commands/index.js';
