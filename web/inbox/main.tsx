import { render } from 'preact';
import { App } from './app';
import './inbox.css';

render(<App />, document.getElementById('app')!);
