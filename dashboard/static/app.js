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
