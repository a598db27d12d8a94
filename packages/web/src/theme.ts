import { createTheme } from '@mantine/core';

export const theme = createTheme({
  fontFamily: '"PingFang SC", "Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif',
  primaryColor: 'red',
  // contrast of text on the primary colour (axe: color-contrast)
  primaryShade: 8,
});
