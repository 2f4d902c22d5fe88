// Chart.js, tree-shaken: only the pieces the Insights charts draw with are registered. It draws on
// a canvas and injects no styles or scripts, so it runs under the app's strict CSP. Loaded on
// demand (a separate chunk), the first time a chart is drawn.
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';

Chart.register(
  BarController,
  BarElement,
  LineController,
  LineElement,
  PointElement,
  CategoryScale,
  LinearScale,
  Tooltip,
  Legend,
);

export { Chart };
