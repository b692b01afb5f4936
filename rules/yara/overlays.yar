// Page overlays (issue 16): a frame made to cover the whole window of a page the package builds or edits.

rule page_overlay_frame {
  meta:
    id = "page-overlay-frame"
    title = "Frame drawn over the whole page"
    class = "malicious"
    severity = "medium"
    confidence = "low"
    anchor = "$frame"
    window = 700
    prose = "skip"
    what = "Reports an `<iframe>` tag whose own style pins it over the whole window: `position: fixed` or `absolute`, width and height of 100% (or 100vw/100vh) and a `z-index` of three or more digits, in code, a script or a page of the package (Markdown is left to the instructions analyzer). A frame inside a layout, or a full-size frame without a stacking order above the page, is not reported."
    why = "A frame stacked above everything else replaces what the user sees with whatever its address serves — a login or a 'verification required' form — while the address bar still shows the user's own page. Written into a page the skill builds or bundles for the user, it is a phishing or click-jacking overlay the user never asked for."
    example = "```bash\nFRAME=\"<iframe src=\\\"$VERIFY_URL\\\" style=\\\"position:fixed;top:0;left:0;width:100%;height:100%;z-index:9999\\\"></iframe>\"\n```"
    remediation = "Do not inject frames into pages the user receives; if a preview needs a frame, keep it inside the page's layout and name its source."
    reference = "https://cwe.mitre.org/data/definitions/1021.html"
    reference = "https://attack.mitre.org/techniques/T1185/"
  strings:
    $frame = /<iframe[^>]{0,600}position\s{0,3}:\s{0,3}(fixed|absolute)[^>]{0,600}>/ nocase
    $width = /[^-]width\s{0,3}:\s{0,3}100(%|vw)/ nocase
    $height = /[^-]height\s{0,3}:\s{0,3}100(%|vh)/ nocase
    $stack = /z-index\s{0,3}:\s{0,3}[0-9]{3,}/ nocase
  condition:
    for any i in (1..#frame) : (
      $width in (@frame[i] .. @frame[i] + !frame[i]) and $height in (@frame[i] .. @frame[i] + !frame[i]) and
      $stack in (@frame[i] .. @frame[i] + !frame[i])
    )
}
