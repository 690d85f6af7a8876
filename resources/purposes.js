/*
 * SenFed editor: the purpose list of the dialogs that choose a W3C DPV purpose
 * (consent filter, federation provide, federation publish). Each node file loads it with
 *     <script src="resources/@senfed/node-red/purposes.js"></script>
 *
 * SenFedPurposes.fill(select, saved, first) fills the <select> from the runtime's
 * list (senfed/consent/purposes), labelled in the editor's language, with an
 * optional first option ({value, label}), and chooses `saved`; a saved IRI the
 * list does not know is kept as an option of its own, never dropped.
 * SenFedPurposes.followStore(type) shows the rows of class node-<type>-consent
 * only while a consent store is chosen in #node-input-consentStore.
 */
(function () {
  'use strict';
  if (window.SenFedPurposes) return; // each node set loads this file: the first one defines it

  window.SenFedPurposes = {
    fill: function (select, saved, first) {
      var show = function (purposes) {
        select.empty();
        if (first) $('<option>').val(first.value).text(first.label).appendTo(select);
        purposes.forEach(function (p) {
          $('<option>')
            .val(p.iri)
            .text(p.label)
            .attr('title', p.description || '')
            .appendTo(select);
        });
        var known =
          (first && first.value === saved) ||
          purposes.some(function (p) {
            return p.iri === saved;
          });
        if (saved && !known) $('<option>').val(saved).text(saved).appendTo(select);
        select.val(saved);
      };
      show([]);
      $.getJSON('senfed/consent/purposes', { lang: RED.i18n.lang() }).done(show);
    },
    followStore: function (type) {
      var store = $('#node-input-consentStore');
      var toggle = function () {
        var chosen = store.val();
        $('.node-' + type + '-consent').toggle(!!chosen && chosen !== '_ADD_');
      };
      store.on('change', toggle);
      toggle();
    },
  };
})();
