/**
 * The shared templates (Eta; `<%= %>` escapes, `<%~ %>` does not and takes only markup we
 * built). Every page is one `<main>` card in this layout; no inline script or style (the
 * CSP forbids them), one stylesheet.
 */
export const LAYOUT = `<!doctype html>
<html lang="<%= it.locale %>">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title><%= it.title %> · <%= it.t('layout.brand') %></title>
<link rel="stylesheet" href="<%= it.cssHref %>">
</head>
<body>
<main>
<div class="card">
<h1><%= it.title %></h1>
<%~ it.body %>
</div>
<% if (it.requestId) { %><p class="meta"><%= it.t('layout.request_id') %>: <code><%= it.requestId %></code></p><% } %>
</main>
</body>
</html>
`;

/** A message page (errors, "you are signed out"): `message`, optional `detail` and `alert`. */
export const MESSAGE_VIEW = `<% layout('@layout') %>
<p<% if (it.alert) { %> class="alert" role="alert"<% } %>><%= it.message %></p>
<% if (it.detail) { %><p class="meta"><%= it.t('error.detail') %>: <code><%= it.detail %></code></p><% } %>
<% if (it.link) { %><p class="links"><a href="<%= it.link.href %>"><%= it.link.text %></a></p><% } %>
`;
