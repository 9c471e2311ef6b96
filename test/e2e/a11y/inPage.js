/* Run in the page by axe-walk.spec.ts (evaluated there; the apps refuse script tags). */

/** The named routes of the Vue app on the page, from its own router (redirects left out). */
globalThis.walkRouteNames = () => {
  const app = document.querySelector('#app')?.__vue_app__;
  const router = app?.config.globalProperties.$router;
  return (router?.getRoutes() ?? []).filter((r) => typeof r.name === 'string' && !r.redirect).map((r) => r.name);
};

/** Every box that scrolls sideways, except a named, focusable region, with what sticks out of it. */
globalThis.walkSidewaysScroll = () => {
  const name = (e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${[...e.classList].map((c) => `.${c}`).join('')}`;
  const scrolls = (e) => e === document.documentElement || ['auto', 'scroll'].includes(getComputedStyle(e).overflowX);
  const allowed = '[role="region"][tabindex]';
  const tooWide = [];
  for (const element of [document.documentElement, ...document.body.querySelectorAll('*')]) {
    if (element.scrollWidth <= element.clientWidth + 1 || !scrolls(element) || element.matches(allowed)) {
      continue;
    }
    const right = element.getBoundingClientRect().left + element.clientWidth;
    const sticksOut = (e) => e.getBoundingClientRect().right > right + 1;
    const culprits = [...element.querySelectorAll('*')]
      .filter((e) => sticksOut(e) && !e.closest(allowed))
      .filter((e) => ![...e.children].some(sticksOut))
      .slice(0, 4)
      .map((e) => `${name(e)} (${Math.round(e.getBoundingClientRect().right)} px)`);
    tooWide.push(`${name(element)} is ${element.scrollWidth} px wide in ${element.clientWidth}: ${culprits.join(', ')}`);
  }
  return tooWide;
};
