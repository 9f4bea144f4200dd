/**
 * The one stylesheet of the hosted pages, served by the app at PAGES_CSS_PATH (the pages'
 * Content-Security-Policy allows no inline style). Mobile first: one column that fits a
 * 360 px screen, wider screens get a centred card.
 */
export const PAGES_CSS = `*,*::before,*::after{box-sizing:border-box}
html{font-size:16px;-webkit-text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC",sans-serif;line-height:1.5;color:#1f2328;background:#f3f4f6}
main{width:100%;max-width:26rem;margin:0 auto;padding:1.5rem 1rem}
.card{background:#fff;border:1px solid #d0d7de;border-radius:.5rem;padding:1.25rem}
h1{font-size:1.375rem;line-height:1.3;margin:0 0 1rem}
p{margin:0 0 1rem}
.lead{color:#57606a}
label{display:block;font-weight:600;margin:0 0 .25rem}
input[type=text],input[type=password],input[type=email],input:not([type]){display:block;width:100%;min-height:2.75rem;padding:.5rem .75rem;font:inherit;border:1px solid #8c959f;border-radius:.375rem;margin:0 0 1rem;background:#fff;color:inherit}
input:focus-visible,button:focus-visible,a:focus-visible{outline:3px solid #0969da;outline-offset:2px}
button{display:block;width:100%;min-height:2.75rem;padding:.5rem 1rem;font:inherit;font-weight:600;border:1px solid transparent;border-radius:.375rem;cursor:pointer;color:#fff;background:#0969da;margin:0 0 .75rem}
button.secondary{color:#1f2328;background:#f6f8fa;border-color:#d0d7de}
.alert{padding:.75rem;border-radius:.375rem;margin:0 0 1rem;border:1px solid #ff8182;background:#ffebe9;color:#82071e}
.notice{padding:.75rem;border-radius:.375rem;margin:0 0 1rem;border:1px solid #54aeff;background:#ddf4ff}
.captcha img{display:block;max-width:100%;height:auto;margin:0 0 .5rem;border:1px solid #d0d7de;border-radius:.25rem;background:#fff}
.qr{display:block;width:12rem;max-width:100%;height:auto;margin:0 auto 1rem}
.scopes{padding-left:1.25rem;margin:0 0 1rem}
.codes{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;padding-left:1.25rem;columns:2}
code,.secret{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;overflow-wrap:anywhere}
.links{font-size:.9375rem;text-align:center;margin:.5rem 0 0}
.meta{font-size:.8125rem;color:#57606a;margin-top:1rem;overflow-wrap:anywhere}
a{color:#0969da}
@media (min-width:40rem){main{padding-top:4rem}.card{padding:2rem}}
`;
