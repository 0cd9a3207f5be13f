// Frosty's dashboard: live pages. The server sends the IDs of the jobs and
// clusters that moved ("*": anything may have); a page that shows one of
// them fetches its content again and swaps it in. No framework, no build.
'use strict';

(function () {
  const main = document.getElementById('main');
  const dot = document.getElementById('live');
  if (!main || !main.dataset.live || !window.EventSource) return;

  let busy = false;
  let again = false;

  // A control being used keeps its page until it is left.
  function inUse() {
    const el = document.activeElement;
    return el && main.contains(el) && /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName);
  }

  // swap puts a fragment the server drew in place of the page's content.
  async function swap(res) {
    const focused = document.activeElement && document.activeElement.id;
    main.innerHTML = await res.text();
    main.dataset.watch = res.headers.get('X-Frosty-Watch') || '';
    const flash = document.getElementById('flash');
    if (flash) {
      flash.tabIndex = -1;
      flash.focus();
    } else if (focused) {
      document.getElementById(focused)?.focus();
    }
  }

  function stateOf() {
    const el = document.getElementById('job-state') || document.getElementById('cluster-state');
    return el ? el.textContent : '';
  }

  async function refresh() {
    if (busy || inUse()) { again = true; return; }
    busy = true;
    again = false;
    try {
      const res = await fetch(location.href, { headers: { 'X-Frosty-Fragment': '1' } });
      if (res.status === 401) { location.reload(); return; }
      if (res.ok) {
        // A refusal's message stays until the operator acts again, or
        // the job or cluster it was about moves on.
        const flash = document.getElementById('flash');
        const state = stateOf();
        await swap(res);
        if (flash && !document.getElementById('flash') && stateOf() === state) main.querySelector('.card')?.before(flash);
      }
    } catch (e) {
      // Offline for a moment: the next event tries again.
    } finally {
      busy = false;
      if (again) setTimeout(refresh, 500);
    }
  }

  // The page's forms act without leaving it: the answer, the page again
  // or the reason it refused, replaces the content. Without this script
  // they post and redirect as plain forms.
  main.addEventListener('submit', async (e) => {
    const form = e.target;
    if (form.method !== 'post') return;
    e.preventDefault();
    const button = e.submitter;
    if (button) button.disabled = true;
    try {
      const res = await fetch(form.action, {
        method: 'POST',
        body: new URLSearchParams(new FormData(form)),
        headers: { 'X-Frosty-Fragment': '1' },
      });
      if (res.status === 401) { location.reload(); return; }
      busy = true;
      await swap(res);
    } catch (err) {
      form.submit(); // the network failed: let the browser try and show why
    } finally {
      busy = false;
      if (button) button.disabled = false;
    }
  });

  function moved(data) {
    const watch = (main.dataset.watch || '').split(' ').filter(Boolean);
    if (data === '*' || watch.length === 0) return true;
    return data.split(' ').some((id) => watch.includes(id));
  }

  main.addEventListener('focusout', () => { if (again) setTimeout(refresh, 0); });

  let opened = false;
  const source = new EventSource(main.dataset.live);
  source.onopen = () => {
    dot.dataset.state = 'on';
    dot.textContent = 'live';
    if (opened) refresh(); // what moved while the stream was down
    opened = true;
  };
  source.onerror = () => {
    dot.dataset.state = 'off';
    dot.textContent = 'reconnecting';
  };
  source.onmessage = (e) => { if (moved(e.data)) refresh(); };
})();
