/** A short bundled list of passwords seen in breaches; the strong policy refuses them. */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  'password', 'password1', 'password123', '123456789012345', 'qwertyuiopasdfgh',
  'iloveyou', 'letmein', 'welcome1', 'passwordpassword', 'correcthorsebatterystaple',
  'changemechangeme', 'administrator123', '1234567890123456', 'qwertyqwertyqwerty',
]);
