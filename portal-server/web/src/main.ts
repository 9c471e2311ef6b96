import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { captureRegistrationToken } from './registrationLink';
import { createPortalRouter } from './router';
import '@ui-kit/base.css';
import './styles.css';
import './styles/layout.css';
import './styles/content.css';
import './styles/print.css';

// Before the router reads the address: the token must never reach its history entries.
captureRegistrationToken();

createApp(App).use(createPinia()).use(createPortalRouter()).mount('#app');
