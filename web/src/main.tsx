// SPDX-License-Identifier: MIT
// Entry point: styles, the document language, and the root component.
import { render } from 'preact';
import { App } from './app';
import { getLang } from './i18n';
import './style.css';

document.documentElement.lang = getLang();
render(<App />, document.getElementById('app')!);
