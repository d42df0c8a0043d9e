// Small progressive enhancements: filter selects apply on change; decisions ask for confirmation.
document.querySelectorAll('form.filters select').forEach(function (select) {
  select.addEventListener('change', function () { select.form.submit(); });
});
document.querySelectorAll('form.decide').forEach(function (form) {
  form.addEventListener('submit', function (event) {
    var verb = form.classList.contains('reject') ? 'Reject' : 'Approve';
    if (!window.confirm(verb + ' this alert?')) event.preventDefault();
  });
});
// Live pages reload when a new alert is raised: the latest alert id is asked for every 5 s.
if (document.body.dataset.live === 'alerts') {
  // The newest alert when the page's data was read (null: none yet); unknown on a page that does not say.
  var said = document.body.dataset.latest;
  var latest = said === undefined ? undefined : said === 'none' ? null : Number(said);
  var check = function () {
    fetch('/api/alerts/latest', { credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body) return;
        if (latest !== undefined && body.latestId !== latest) window.location.reload();
        latest = body.latestId;
      })
      .catch(function () {});
  };
  check();
  setInterval(check, 5000);
}
