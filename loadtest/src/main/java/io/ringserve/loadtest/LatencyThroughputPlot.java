package io.ringserve.loadtest;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * The picture of a sweep: latency percentiles (p50, p90, p99) against the throughput each load reached, one point
 * per load. The knee is where the lines turn up. Renders headless to PNG.
 */
public final class LatencyThroughputPlot {
    private LatencyThroughputPlot() {
    }

    /** Writes {@code file} (PNG, 1000 x 600). */
    public static void write(final Path file, final String title, final List<LoadResult> results)
            throws IOException {
        System.setProperty("java.awt.headless", "true");
        final XYSeriesCollection data = new XYSeriesCollection();
        for (double percentile : new double[] {50, 90, 99}) {
            final XYSeries series = new XYSeries("p" + (int) percentile, false);
            for (LoadResult r : results) {
                series.add(r.throughput(), r.percentileMicros(percentile) / 1000.0);
            }
            data.addSeries(series);
        }
        final JFreeChart chart = ChartFactory.createXYLineChart(title, "throughput (requests/s)", "latency (ms)",
                data, PlotOrientation.VERTICAL, true, false, false);
        final XYPlot plot = chart.getXYPlot();
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
        plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
        final XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            renderer.setSeriesStroke(i, new BasicStroke(2f));
        }
        plot.setRenderer(renderer);
        ChartUtils.saveChartAsPNG(file.toFile(), chart, 1000, 600);
    }
}
