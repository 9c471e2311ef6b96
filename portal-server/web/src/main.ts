import { createPinia } from 'pinia';
import { createApp } from 'vue';
import App from './App.vue';
import { i18n, setLanguage, startingLanguage } from './i18n';
import { captureRegistrationToken } from './registrationLink';
import { createPortalRouter } from './router';
import '@ui-kit/base.css';
import './styles.css';
import './styles/layout.css';
import './styles/content.css';
import './styles/print.css';

// Before the router reads the address: the token must never reach its history entries.
captureRegistrationToken();

// This browser's language until the patient's own choice is known (the session says it).
setLanguage(startingLanguage(), { remember: false });

createApp(App).use(i18n).use(createPinia()).use(createPortalRouter()).mount('#app');
