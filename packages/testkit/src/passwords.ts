// Role passwords of the throwaway test clusters.
export const TEST_PASSWORDS = { owner: 'jiceng-test-owner', api: 'jiceng-test-api' };
export const TEST_JWT_SECRET = 'jiceng-test-secret-0123456789abcdef';
