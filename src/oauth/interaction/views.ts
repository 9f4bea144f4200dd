import type { PageStrings } from '../../pages/page-strings.js';

/**
 * The hosted sign-in pages of the code flow (docs/api.md §10), as PagesService views.
 * Field names are the contract's: `username`, `password`, `captcha_code`, `code`; every
 * form carries `csrf` and submits with a `<button type="submit">`.
 */
export const INTERACTION_VIEWS: Record<string, string> = {
  'oauth/sign-in': `<% layout('@layout') %>
<p class="lead"><%= it.t('signin.lead', { client: it.clientName }) %></p>
<% if (it.error) { %><p class="alert" role="alert"><%= it.error %></p><% } %>
<form method="post" action="<%= it.action %>">
<input type="hidden" name="csrf" value="<%= it.csrf %>">
<label for="username"><%= it.t('signin.username') %></label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" maxlength="254" required value="<%= it.username %>"<% if (!it.username) { %> autofocus<% } %>>
<label for="password"><%= it.t('signin.password') %></label>
<input id="password" name="password" type="password" autocomplete="current-password" maxlength="1024" required<% if (it.username) { %> autofocus<% } %>>
<% if (it.captcha) { %><div class="captcha">
<img src="<%= it.captcha.image %>" alt="<%= it.t('signin.captcha_image') %>" width="150" height="50">
<input type="hidden" name="captcha_id" value="<%= it.captcha.id %>">
<label for="captcha_code"><%= it.t('signin.captcha') %></label>
<input id="captcha_code" name="captcha_code" type="text" autocomplete="off" autocapitalize="none" spellcheck="false" maxlength="16" required>
</div><% } %>
<button type="submit"><%= it.t('signin.submit') %></button>
</form>
<form method="post" action="<%= it.abortAction %>">
<input type="hidden" name="csrf" value="<%= it.csrf %>">
<button type="submit" class="secondary"><%= it.t('common.cancel') %></button>
</form>
<p class="links"><a href="<%= it.forgotUrl %>"><%= it.t('signin.forgot') %></a></p>
`,
  'oauth/second-factor': `<% layout('@layout') %>
<% if (it.enrolment) { %>
<p class="lead"><%= it.t('mfa.enrol_lead') %></p>
<img class="qr" src="<%= it.enrolment.qr_code %>" alt="<%= it.t('mfa.qr') %>" width="192" height="192">
<p><%= it.t('mfa.secret') %> <span class="secret"><%= it.enrolment.secret %></span></p>
<% } else { %>
<p class="lead"><%= it.t('mfa.lead') %></p>
<% } %>
<% if (it.error) { %><p class="alert" role="alert"><%= it.error %></p><% } %>
<form method="post" action="<%= it.action %>">
<input type="hidden" name="csrf" value="<%= it.csrf %>">
<label for="code"><%= it.enrolment ? it.t('mfa.code_enrol') : it.t('mfa.code') %></label>
<input id="code" name="code" type="text" autocomplete="one-time-code" autocapitalize="none" spellcheck="false" maxlength="32" required autofocus>
<button type="submit"><%= it.t('mfa.submit') %></button>
</form>
<form method="post" action="<%= it.abortAction %>">
<input type="hidden" name="csrf" value="<%= it.csrf %>">
<button type="submit" class="secondary"><%= it.t('common.cancel') %></button>
</form>
`,
  'oauth/recovery-codes': `<% layout('@layout') %>
<p class="notice" role="status"><%= it.t('mfa.codes_lead') %></p>
<ul class="codes"><% it.codes.forEach(function (code) { %><li><%= code %></li><% }) %></ul>
<form method="post" action="<%= it.action %>">
<input type="hidden" name="csrf" value="<%= it.csrf %>">
<button type="submit"><%= it.t('common.continue') %></button>
</form>
`,
  'oauth/consent': `<% layout('@layout') %>
<p class="lead"><%= it.t('consent.lead', { client: it.clientName }) %></p>
<ul class="scopes"><% it.scopes.forEach(function (scope) { %><li><%= scope %></li><% }) %></ul>
<p><%= it.t('consent.remembered') %></p>
<form method="post" action="<%= it.action %>">
<input type="hidden" name="csrf" value="<%= it.csrf %>">
<button type="submit"><%= it.t('consent.allow') %></button>
</form>
<form method="post" action="<%= it.abortAction %>">
<input type="hidden" name="csrf" value="<%= it.csrf %>">
<button type="submit" class="secondary"><%= it.t('consent.deny') %></button>
</form>
`,
  'oauth/logout': `<% layout('@layout') %>
<p class="lead"><%= it.clientName ? it.t('logout.lead_client', { client: it.clientName }) : it.t('logout.lead') %></p>
<%~ it.form %>
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus><%= it.t('logout.yes') %></button>
<button type="submit" form="op.logoutForm" class="secondary"><%= it.t('logout.no') %></button>
`,
};

export const INTERACTION_STRINGS: PageStrings = {
  en: {
    'common.cancel': 'Cancel',
    'common.continue': 'Continue',
    'signin.title': 'Sign in',
    'signin.lead': 'to continue to {client}',
    'signin.username': 'Username, email or phone',
    'signin.password': 'Password',
    'signin.captcha': 'Characters in the image',
    'signin.captcha_image': 'Captcha: type the characters you see',
    'signin.submit': 'Sign in',
    'signin.forgot': 'Forgot your password?',
    'signin.missing': 'Enter your username and password.',
    'mfa.title': 'Two-step verification',
    'mfa.lead': 'Enter the 6-digit code from your authenticator app, or one of your recovery codes.',
    'mfa.enrol_title': 'Set up two-step verification',
    'mfa.enrol_lead': 'Your account needs a second factor. Scan this code with an authenticator app, then enter the code it shows.',
    'mfa.qr': 'QR code of the authenticator secret',
    'mfa.secret': 'Or enter this key by hand:',
    'mfa.code': 'Verification code or recovery code',
    'mfa.code_enrol': 'Code from the authenticator app',
    'mfa.submit': 'Verify',
    'mfa.codes_title': 'Your recovery codes',
    'mfa.codes_lead': 'Keep these recovery codes somewhere safe. Each works once, if you lose your authenticator. They are shown only now.',
    'consent.title': 'Allow access?',
    'consent.lead': '{client} asks to:',
    'consent.remembered': 'You will not be asked again for this application unless it asks for more.',
    'consent.allow': 'Allow',
    'consent.deny': 'Deny',
    'scope.openid': 'Know who you are (your account identifier)',
    'scope.profile': 'See your username, nickname and picture',
    'scope.email': 'See your email address',
    'scope.phone': 'See your phone number',
    'scope.roles': 'See your roles and permissions',
    'scope.offline_access': 'Stay signed in when you are not using it',
    'logout.title': 'Sign out',
    'logout.lead': 'Do you want to sign out?',
    'logout.lead_client': 'Do you want to sign out? You came from {client}.',
    'logout.yes': 'Yes, sign me out',
    'logout.no': 'No, stay signed in',
    'logout.done_title': 'Signed out',
    'logout.done': 'You are signed out.',
    'error.oauth.access_denied': 'The request was refused.',
    'error.oauth.invalid_request': 'The application sent an invalid sign-in request.',
    'error.oauth.invalid_client': 'The application is unknown or not allowed to sign users in.',
    'error.oauth.invalid_redirect_uri': 'The application asked to return to an address it has not registered.',
    'error.oauth.unsupported_response_type': 'The application asked for a response type this server does not offer.',
    'error.oauth.invalid_scope': 'The application asked for access it is not allowed.',
    'error.oauth.login_required': 'You need to sign in.',
    'error.oauth.session_not_found': 'This sign-in request has expired or was already used. Go back to the application and start again.',
  },
  'zh-CN': {
    'common.cancel': '取消',
    'common.continue': '继续',
    'signin.title': '登录',
    'signin.lead': '以继续使用 {client}',
    'signin.username': '用户名、邮箱或手机号',
    'signin.password': '密码',
    'signin.captcha': '图中的字符',
    'signin.captcha_image': '验证码:请输入图中字符',
    'signin.submit': '登录',
    'signin.forgot': '忘记密码?',
    'signin.missing': '请输入用户名和密码。',
    'mfa.title': '两步验证',
    'mfa.lead': '请输入身份验证器应用中的 6 位验证码,或一个恢复码。',
    'mfa.enrol_title': '设置两步验证',
    'mfa.enrol_lead': '您的账号需要第二因素。请用身份验证器应用扫描此二维码,然后输入应用显示的验证码。',
    'mfa.qr': '身份验证器密钥的二维码',
    'mfa.secret': '或手动输入此密钥:',
    'mfa.code': '验证码或恢复码',
    'mfa.code_enrol': '身份验证器应用中的验证码',
    'mfa.submit': '验证',
    'mfa.codes_title': '您的恢复码',
    'mfa.codes_lead': '请妥善保存这些恢复码。丢失身份验证器时,每个恢复码可使用一次。它们只显示这一次。',
    'consent.title': '允许访问?',
    'consent.lead': '{client} 请求:',
    'consent.remembered': '除非该应用请求更多权限,否则不会再次询问您。',
    'consent.allow': '允许',
    'consent.deny': '拒绝',
    'scope.openid': '识别您的身份(账号标识)',
    'scope.profile': '查看您的用户名、昵称和头像',
    'scope.email': '查看您的邮箱地址',
    'scope.phone': '查看您的手机号',
    'scope.roles': '查看您的角色和权限',
    'scope.offline_access': '在您不使用时保持登录',
    'logout.title': '退出登录',
    'logout.lead': '确定要退出登录吗?',
    'logout.lead_client': '确定要退出登录吗?您来自 {client}。',
    'logout.yes': '是,退出登录',
    'logout.no': '否,保持登录',
    'logout.done_title': '已退出登录',
    'logout.done': '您已退出登录。',
    'error.oauth.access_denied': '请求被拒绝。',
    'error.oauth.invalid_request': '应用发送了无效的登录请求。',
    'error.oauth.invalid_client': '应用未知或不允许登录用户。',
    'error.oauth.invalid_redirect_uri': '应用请求返回到一个未登记的地址。',
    'error.oauth.unsupported_response_type': '应用请求了本服务不支持的响应类型。',
    'error.oauth.invalid_scope': '应用请求了不被允许的访问权限。',
    'error.oauth.login_required': '您需要登录。',
    'error.oauth.session_not_found': '本次登录请求已过期或已被使用。请返回应用重新开始。',
  },
};
