/*
 * SenFed editor: the "find" button of the federation subscribe and federation
 * request dialogs. Both node files load it with
 *     <script src="resources/@senfed/node-red/find.js"></script>
 * and Node-RED serves it from this package's resources/ folder.
 *
 * In the dialog of a node type T, the button is #node-T-find and the list of
 * answers #node-T-found (a form row holding a <ul>). The button asks the admin
 * endpoint of the chosen, deployed xmpp account (senfed/xmpp-account/:id/discover)
 * and lists what the target offers; picking an answer fills the dialog's fields.
 * Texts come from the node type's own catalog, under T.find: searching, none,
 * noAccount, noTarget, notConnected, noAnswer, failed (and button, for the title).
 */
(function () {
  'use strict';
  if (window.SenFedFind) return; // each node set loads this file: the first one defines it
  // The endpoint gives up on each step after 10 s; past this, the answer is not coming.
  var TIMEOUT_SECONDS = 45;

  window.SenFedFind = {
    /**
     * Wire the find button of the node being edited (`this` in oneditprepare).
     *   target(account): what to ask (a domain, a PubSub service or a JID),
     *     from the dialog's fields and the account config node; '' if nothing.
     *   choices(catalogue): the answers to list, each
     *     { id, name, at, pick: function () { fill the dialog's fields } }.
     */
    attach: function (node, options) {
      var say = function (key, vars) {
        return node._(node.type + '.' + key, vars);
      };
      var escape = function (text) {
        return $('<div>').text(String(text)).html();
      };
      var found = $('#node-' + node.type + '-found');
      var list = found.find('ul');
      var asked = 0;
      var row = function (text) {
        return $('<li>').text(text).appendTo(list);
      };

      var show = function (catalogue) {
        list.empty();
        var choices = options.choices(catalogue || {});
        choices.forEach(function (choice) {
          var text =
            choice.id +
            (choice.name && choice.name !== choice.id ? ' (' + choice.name + ')' : '') +
            ' - ' +
            choice.at;
          $('<a href="#" class="node-' + node.type + '-found-item">')
            .text(text)
            .on('click', function (e) {
              e.preventDefault();
              choice.pick();
              found.hide();
            })
            .appendTo($('<li>').appendTo(list));
        });
        if (!choices.length) row(say('find.none'));
        // Parts of the target that did not answer (a peer down, a refusal), so a short list says why.
        ((catalogue && catalogue.problems) || []).forEach(function (problem) {
          row(problem.jid + ': ' + problem.reason)
            .addClass('node-' + node.type + '-found-problem')
            .css('opacity', 0.7);
        });
      };

      var fail = function (account, xhr, textStatus) {
        found.hide();
        var answer = xhr.responseJSON || {};
        // The endpoint's text is in the runtime's language: its code gives the same text in the editor's, from the account's catalog.
        var error = answer.code
          ? account._('xmpp-account.errors.' + answer.code, { reason: answer.reason })
          : '';
        if (!error || error === 'xmpp-account.errors.' + answer.code)
          error = answer.error || xhr.statusText || String(xhr.status);
        if (textStatus === 'timeout') {
          RED.notify(
            say('find.failed', {
              error: escape(say('find.noAnswer', { seconds: TIMEOUT_SECONDS })),
            }),
            'error',
          );
        } else if (xhr.status === 404 || xhr.status === 503) {
          RED.notify(say('find.notConnected', { error: escape(error) }), 'error');
        } else {
          RED.notify(say('find.failed', { error: escape(error) }), 'error');
        }
      };

      $('#node-' + node.type + '-find').on('click', function () {
        var accountId = $('#node-input-account').val();
        var account = accountId && accountId !== '_ADD_' ? RED.nodes.node(accountId) : null;
        if (!account) {
          RED.notify(say('find.noAccount'), 'warning');
          return;
        }
        var target = options.target(account);
        if (!target) {
          RED.notify(say('find.noTarget'), 'warning');
          return;
        }
        // Only the latest question is answered: an earlier one that comes back late is dropped.
        var ask = ++asked;
        list.empty();
        row(say('find.searching', { target: target }));
        found.show();
        $.ajax({
          url: 'senfed/xmpp-account/' + encodeURIComponent(accountId) + '/discover',
          data: { target: target },
          dataType: 'json',
          timeout: TIMEOUT_SECONDS * 1000,
        })
          .done(function (catalogue) {
            if (ask === asked) show(catalogue);
          })
          .fail(function (xhr, textStatus) {
            if (ask === asked) fail(account, xhr, textStatus);
          });
      });
    },

    /** The domain of an account's JID (user@domain/resource), or ''. */
    domainOf: function (account) {
      var jid = typeof account.jid === 'string' ? account.jid : '';
      return jid.indexOf('@') > 0 ? jid.split('@')[1].split('/')[0] : '';
    },
  };
})();
