import './styles.css';

import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { App } from './App.js';
import { Console } from './console/Console.js';

const root = document.getElementById('root');
if (root !== null) {
  createRoot(root).render(
    <StrictMode>
      {location.pathname.startsWith('/console') ? <Console /> : <App />}
    </StrictMode>,
  );
}
