/** What the editor side of a node type is made of, read from the sources. */

/**
 * The editor scripts a node file loads from the package's resources/ folder, as
 * `<script src="resources/@senfed/node-red/<file>">`: the <file> names.
 */
export function sharedScripts(editorHtml: string): string[] {
  return [...editorHtml.matchAll(/<script[^>]*\ssrc="resources\/@senfed\/node-red\/([^"]+)"/g)].map(
    (m) => m[1],
  );
}
