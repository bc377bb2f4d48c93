// The leniency record form: checks the party id as it is typed, shows the chosen item's basis.
"use strict";
(function () {
  var token = document.querySelector('meta[name="csrf-token"]').content;
  var partyInput = document.getElementById('party_id');
  var partyStatus = document.getElementById('party-status');
  var timer = null;
  function checkParty() {
    var value = partyInput.value.trim();
    if (!value) { partyStatus.textContent = ''; partyStatus.className = ''; return; }
    fetch(partyInput.dataset.checkUrl, {
      method: 'POST', credentials: 'same-origin',
      headers: {'Content-Type': 'application/json', 'X-CSRFToken': token},
      body: JSON.stringify({party_id: value})
    }).then(function (r) { return r.json(); }).then(function (body) {
      partyStatus.textContent = body.ok ? '✓ ' + body.message + '（' + body.masked + '）' : '✗ ' + body.message;
      partyStatus.className = body.ok ? 'tag green' : 'error';
    }).catch(function () { partyStatus.textContent = '暂时无法校验，提交时将再次校验'; });
  }
  partyInput.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(checkParty, 300); });
  if (partyInput.value) { checkParty(); }

  var item = document.getElementById('item_code');
  function showItem() {
    var option = item.options[item.selectedIndex];
    var info = document.getElementById('item-info');
    info.hidden = !option || !option.value;
    if (option && option.value) {
      document.getElementById('item-basis').textContent = option.dataset.basis;
      document.getElementById('item-conditions').textContent = option.dataset.conditions;
    }
  }
  item.addEventListener('change', showItem);
  showItem();
})();
