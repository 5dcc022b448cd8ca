/** chart.js set-up shared by the Reach and History charts: only the pieces used, and theme-aware colours. */
import { BarElement, CategoryScale, Chart, Filler, Legend, LinearScale, LineElement, PointElement, Tooltip } from 'chart.js';

Chart.register(BarElement, CategoryScale, LinearScale, LineElement, PointElement, Tooltip, Legend, Filler);

export const PALETTE = ['#3d5afe', '#2e7d32', '#e65100', '#8e24aa', '#00838f', '#c62828', '#6d4c41', '#f9a825', '#546e7a', '#ad1457'];

export function chartColors(theme: 'light' | 'dark'): { text: string; grid: string } {
  return theme === 'dark' ? { text: '#c9cedc', grid: 'rgba(255,255,255,0.08)' } : { text: '#3a4052', grid: 'rgba(0,0,0,0.08)' };
}

/** Axis and legend colours for a chart in the current theme. */
export function baseOptions(theme: 'light' | 'dark', stacked = false) {
  const c = chartColors(theme);
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: { duration: 250 },
    plugins: { legend: { labels: { color: c.text } } },
    scales: {
      x: { stacked, ticks: { color: c.text }, grid: { color: c.grid } },
      y: { stacked, beginAtZero: true, ticks: { color: c.text, precision: 0 }, grid: { color: c.grid } },
    },
  };
}
