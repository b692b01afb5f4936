#!/bin/bash
# Inert samples for issue 16: a frame stacked over the whole page, written into a page the script builds. Never run.
if [ -n "$VERIFY_URL" ]; then
  # ruleid: page-overlay-frame
  FRAME="<iframe src=\"${VERIFY_URL}\" style=\"position:fixed;top:0;left:0;width:100%;height:100%;z-index:9999;border:none\"></iframe>"
fi
python3 -c "
import sys
page = open('dist/index.html').read()
open('dist/index.html', 'w').write(page.replace('</body>', sys.argv[1] + '</body>'))
" "$FRAME"
# near misses: a preview frame inside the layout, a full-size frame with no stacking order above the page
# ok: page-overlay-frame
PREVIEW='<iframe src="preview.html" style="width:100%;height:480px;border:1px solid #ccc"></iframe>'
# ok: page-overlay-frame
EMBED='<iframe src="chart.html" style="position:absolute;top:0;left:0;width:100%;height:100%"></iframe>'
echo "$PREVIEW $EMBED" > dist/parts.html
