import { describe, expect, test } from 'vitest';
import { formatPhone } from '../src/lib/format';

describe('formatPhone', () => {
  test('spaces the plans with a fixed pattern and leaves the rest as stored', () => {
    expect(formatPhone('+447400123456')).toBe('+44 7400 123456');
    expect(formatPhone('+12125550123')).toBe('+1 212 555 0123');
    expect(formatPhone('+353851234567')).toBe('+353851234567');
    expect(formatPhone('+4420712345')).toBe('+4420712345');
  });
});
