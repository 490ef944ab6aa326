/**
 * The XSS corpus for handbook Markdown, shared by the renderer's unit test and the editor preview's
 * integration test (both must show that what reaches a browser is inert).
 */
import { expect } from 'vitest';

/**
 * Payloads an author (or a compromised educator account) might put in a chapter. Each must render to HTML
 * with no script, no event handler, no dangerous URL and no active embedded content.
 */
export const XSS_PAYLOADS: string[] = [
  '<script>alert(1)</script>',
  '<SCRIPT SRC=https://evil.example/x.js></SCRIPT>',
  '<img src=x onerror=alert(1)>',
  '<img src="x" ONERROR="alert(1)">',
  '<svg onload=alert(1)><circle r="1"/></svg>',
  '<svg><script>alert(1)</script></svg>',
  '<iframe src="https://evil.example"></iframe>',
  '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
  '<a href="javascript:alert(1)">click</a>',
  '[click](javascript:alert(1))',
  '[click](JaVaScRiPt:alert(1))',
  '[click](  javascript:alert(1))',
  '[click](java&#x09;script:alert(1))',
  '[click](&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1))',
  '[click](javascript&colon;alert(1))',
  '[click](%6Aavascript:alert(1))',
  '[click](vbscript:msgbox(1))',
  '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)',
  '![x](javascript:alert(1))',
  '[ref]\n\n[ref]: javascript:alert(1)',
  '<javascript:alert(1)>',
  '<div style="background:url(javascript:alert(1))">x</div>',
  '<p style="width: expression(alert(1))">x</p>',
  '<object data="https://evil.example/x.swf"></object>',
  '<embed src="https://evil.example/x.swf">',
  '<form action="https://evil.example"><button>Go</button></form>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<details open ontoggle=alert(1)>',
  '<a href="https://ok.example" onclick="alert(1)">ok</a>',
  '[x](https://ok.example "title\\" onmouseover=\\"alert(1)")',
  '<!--<img src=x onerror=alert(1)>-->',
  '<base href="javascript:alert(1)//">',
  '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
  '<link rel="stylesheet" href="https://evil.example/x.css">',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
];

/** Tags and attribute names that must never appear in rendered HTML (checked outside attribute values). */
export const DANGEROUS_MARKUP = [
  /<script/i,
  /<iframe/i,
  /<svg/i,
  /<object/i,
  /<embed/i,
  /<form/i,
  /<style/i,
  /<base/i,
  /<meta/i,
  /<link/i,
  /<math/i,
  /<details/i,
  /\son[a-z]+\s*=/i,
  /\sstyle\s*=/i,
  /\ssrcdoc\s*=/i,
];

/** URL attribute values that must never appear. */
export const DANGEROUS_URLS = [
  /(?:href|src|action|formaction)\s*=\s*"?\s*(?:javascript|vbscript|data):/i,
  /(?:href|src)\s*=\s*"[^"]*(?:&#|%6a|&colon;)/i,
];

/** Fails the calling test when rendered HTML holds active markup or a dangerous URL. */
export function expectInert(html: string): void {
  // rehype-stringify always double-quotes attribute values and escapes quotes inside them.
  const markupOnly = html.replace(/"[^"]*"/g, '""');
  for (const pattern of DANGEROUS_MARKUP) expect(markupOnly).not.toMatch(pattern);
  for (const pattern of DANGEROUS_URLS) expect(html).not.toMatch(pattern);
}
