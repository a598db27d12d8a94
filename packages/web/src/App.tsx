// Routes (docs/web.md): /login, / (home: my due items), /board/:code (the live board),
// /dashboard/:code and /village/:code (filled in by the dashboards work), /ledgers/:code (台账). Every route but /login needs
// a session; without one the page goes to /login and back after signing in.
import { Center, Loader, MantineProvider } from '@mantine/core';
import { DatesProvider } from '@mantine/dates';
import 'dayjs/locale/zh-cn';
import { Redirect, Route, Switch, useLocation } from 'wouter';
import { AuthProvider, useAuth } from './auth.js';
import { Layout } from './components/Layout.js';
import { theme } from './theme.js';
import { LoginPage } from './pages/LoginPage.js';
import { HomePage } from './pages/HomePage.js';
import { BoardPage } from './pages/BoardPage.js';
import { DashboardPage } from './pages/DashboardPage.js';
import { VillagePage } from './pages/VillagePage.js';
import { LedgersPage } from './pages/LedgersPage.js';
import { NotFoundPage } from './pages/NotFoundPage.js';
import { SupportPage } from './pages/SupportPage.js';

function Routes() {
  const { me } = useAuth();
  const [location] = useLocation();
  if (me === undefined) {
    return (
      <Center h="100vh">
        <Loader aria-label="加载中" />
      </Center>
    );
  }
  if (location === '/login') return me ? <Redirect to="/" /> : <LoginPage />;
  if (!me) return <Redirect to={`/login?next=${encodeURIComponent(location)}`} />;
  return (
    <Layout>
      <Switch>
        <Route path="/" component={HomePage} />
        <Route path="/board/:code">{(p) => <BoardPage code={p.code} />}</Route>
        <Route path="/dashboard/:code">{(p) => <DashboardPage code={p.code} />}</Route>
        <Route path="/village/:code">{(p) => <VillagePage code={p.code} />}</Route>
        <Route path="/support" component={SupportPage} />
        <Route path="/ledgers/:code">{(p) => <LedgersPage key={p.code} code={p.code} />}</Route>
        <Route component={NotFoundPage} />
      </Switch>
    </Layout>
  );
}

export function App() {
  return (
    <MantineProvider theme={theme}>
      {/* the forms' dates (pages/forms/DateField.tsx): Chinese month and day names, weeks from Monday */}
      <DatesProvider settings={{ locale: 'zh-cn', firstDayOfWeek: 1 }}>
        <AuthProvider>
          <Routes />
        </AuthProvider>
      </DatesProvider>
    </MantineProvider>
  );
}
