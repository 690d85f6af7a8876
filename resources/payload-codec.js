/*
 * SenFed editor: the payload codec rows of the lora decode and lora uplink dialogs
 * (Cayenne LPP, packed fields, a decodeUplink script, none). Both node files load it
 * with
 *     <script src="resources/@senfed/node-red/payload-codec.js"></script>
 * In the dialog of a node type T, the rows are .node-T-schema and .node-T-script,
 * the codec select #node-input-codec, the script a hidden #node-input-script shown
 * in Node-RED's code editor #node-input-script-editor, as a function node's.
 */
(function () {
  'use strict';
  if (window.SenFedPayloadCodec) return; // each node set loads this file: the first one defines it
  // What a new script starts from: the TTS / ChirpStack decodeUplink signature.
  var SKELETON =
    'function decodeUplink(input) {\n    // input.bytes: the payload bytes, input.fPort: its port\n    return { data: {} };\n}\n';

  window.SenFedPayloadCodec = {
    SKELETON: SKELETON,
    /** In oneditprepare: the code editor, and each codec's rows shown only when it is chosen. */
    prepare: function (node) {
      node.editor = RED.editor.createEditor({
        id: 'node-input-script-editor',
        mode: 'ace/mode/javascript',
        value: $('#node-input-script').val() || SKELETON,
      });
      function show() {
        var codec = $('#node-input-codec').val();
        $('.node-' + node.type + '-schema').toggle(codec === 'schema');
        $('.node-' + node.type + '-script').toggle(codec === 'script');
        if (codec === 'script') node.editor.resize();
      }
      $('#node-input-codec').on('change', show);
      show();
    },
    /** In oneditsave: the script back into its field; the untouched skeleton is no script. */
    save: function (node) {
      var script = node.editor.getValue();
      $('#node-input-script').val(script === SKELETON ? '' : script);
      this.close(node);
    },
    close: function (node) {
      if (!node.editor) return;
      node.editor.destroy();
      delete node.editor;
    },
    resize: function (node) {
      if (node.editor) node.editor.resize();
    },
    /**
     * The dialog functions of a node type with these rows, for RED.nodes.registerType;
     * `more(node)`, if given, runs after prepare for what the type adds.
     */
    dialog: function (more) {
      var codec = window.SenFedPayloadCodec;
      return {
        oneditprepare: function () {
          codec.prepare(this);
          if (more) more(this);
        },
        oneditsave: function () {
          codec.save(this);
        },
        oneditcancel: function () {
          codec.close(this);
        },
        oneditresize: function () {
          codec.resize(this);
        },
      };
    },
  };
})();
