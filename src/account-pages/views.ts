import type { PageStrings } from '../pages/page-strings.js';

/**
 * The account pages that mailed links open (docs/api.md §3, §12): choose a new password,
 * confirm an email address, ask for a reset link. Every form carries `csrf` and submits with
 * a `<button type="submit">`; the fields are labelled.
 */
export const ACCOUNT_VIEWS: Record<string, string> = {
  'account/reset-password': `<% layout('@layout') %>
<p class="lead"><%= it.t('reset.lead') %></p>
<% if (it.error) { %><p class="alert" role="alert"><%= it.error %><% (it.problems || []).forEach(function (p) { %><br><%= p %><% }) %></p><% } %>
<form method="post" action="<%= it.action %>">
<input type="hidden" name="csrf" value="<%= it.csrf %>">
<input type="hidden" name="token" value="<%= it.token %>">
<label for="new_password"><%= it.t('reset.new_password') %></label>
<input id="new_password" name="new_password" type="password" autocomplete="new-password" minlength="<%= it.min %>" maxlength="128" required autofocus>
<p class="meta"><%= it.t('reset.rules', { min: it.min }) %></p>
<label for="confirm_password"><%= it.t('reset.confirm_password') %></label>
<input id="confirm_password" name="confirm_password" type="password" autocomplete="new-password" minlength="<%= it.min %>" maxlength="128" required>
<button type="submit"><%= it.t('reset.submit') %></button>
</form>
`,
  'account/forgot-password': `<% layout('@layout') %>
<p class="lead"><%= it.t('forgot.lead') %></p>
<% if (it.error) { %><p class="alert" role="alert"><%= it.error %></p><% } %>
<form method="post" action="<%= it.action %>">
<input type="hidden" name="csrf" value="<%= it.csrf %>">
<label for="email"><%= it.t('forgot.email') %></label>
<input id="email" name="email" type="email" autocomplete="email" autocapitalize="none" spellcheck="false" maxlength="254" required autofocus value="<%= it.email %>">
<button type="submit"><%= it.t('forgot.submit') %></button>
</form>
`,
  'account/verify-email': `<% layout('@layout') %>
<p class="lead"><%= it.t('verify.lead') %></p>
<form method="post" action="<%= it.action %>">
<input type="hidden" name="csrf" value="<%= it.csrf %>">
<input type="hidden" name="token" value="<%= it.token %>">
<button type="submit" autofocus><%= it.t('verify.submit') %></button>
</form>
`,
};

export const ACCOUNT_STRINGS: PageStrings = {
  en: {
    'reset.title': 'Choose a new password',
    'reset.lead': 'Enter a new password for your account. Every device signed in to it will be signed out.',
    'reset.new_password': 'New password',
    'reset.confirm_password': 'Repeat the new password',
    'reset.rules': '{min} to 128 characters; not your username and not a common password.',
    'reset.submit': 'Set the new password',
    'reset.mismatch': 'The two passwords are not the same.',
    'reset.done_title': 'Your password has been changed',
    'reset.done': 'You can now sign in with your new password.',
    'reset.invalid_title': 'This link cannot be used',
    'reset.ask_again': 'Ask for a new link',
    'forgot.title': 'Reset your password',
    'forgot.lead': 'Enter the email address of your account. We will send you a link to choose a new password.',
    'forgot.email': 'Email address',
    'forgot.submit': 'Send the link',
    'forgot.invalid_email': 'Enter a valid email address.',
    'forgot.sent_title': 'Check your email',
    'forgot.sent': 'If an account uses this address, a link to reset its password is on its way. It is valid for a limited time.',
    'verify.title': 'Confirm your email address',
    'verify.lead': 'Confirm that this email address belongs to you.',
    'verify.submit': 'Confirm my email address',
    'verify.done_title': 'Your email address is confirmed',
    'verify.done': 'Thank you. You can close this page.',
    'verify.invalid_title': 'This link cannot be used',
    'account.missing_token': 'The link is incomplete. Open it from the mail again, or copy the whole address.',
    'account.too_many': 'Too many attempts. Try again in a minute.',
  },
  'zh-CN': {
    'reset.title': '设置新密码',
    'reset.lead': '为您的账号输入新密码。所有已登录的设备都将退出登录。',
    'reset.new_password': '新密码',
    'reset.confirm_password': '再次输入新密码',
    'reset.rules': '{min} 到 128 个字符;不能与用户名相同,也不能是常见密码。',
    'reset.submit': '设置新密码',
    'reset.mismatch': '两次输入的密码不一致。',
    'reset.done_title': '密码已修改',
    'reset.done': '现在可以使用新密码登录。',
    'reset.invalid_title': '此链接无法使用',
    'reset.ask_again': '重新获取链接',
    'forgot.title': '重置密码',
    'forgot.lead': '输入您账号的邮箱地址,我们会发送一个设置新密码的链接。',
    'forgot.email': '邮箱地址',
    'forgot.submit': '发送链接',
    'forgot.invalid_email': '请输入有效的邮箱地址。',
    'forgot.sent_title': '请查收邮件',
    'forgot.sent': '如果有账号使用此邮箱,重置密码的链接已发出。链接在有限时间内有效。',
    'verify.title': '确认邮箱地址',
    'verify.lead': '请确认此邮箱地址属于您。',
    'verify.submit': '确认我的邮箱地址',
    'verify.done_title': '邮箱地址已确认',
    'verify.done': '谢谢。您可以关闭此页面。',
    'verify.invalid_title': '此链接无法使用',
    'account.missing_token': '链接不完整。请从邮件中重新打开,或复制完整的地址。',
    'account.too_many': '尝试次数过多,请一分钟后再试。',
  },
};
