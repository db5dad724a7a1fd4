package dev.corral.bench;

/** A GitHub-flavoured markdown table; the first column is left-aligned, the others (numbers) right-aligned. */
final class MarkdownTable {
    private final StringBuilder text = new StringBuilder();
    private final int columns;

    MarkdownTable(String... header) {
        columns = header.length;
        row((Object[]) header);
        text.append("|:---");
        text.append("|---:".repeat(columns - 1)).append("|\n");
    }

    MarkdownTable row(Object... cells) {
        if (cells.length != columns) {
            throw new IllegalArgumentException("a row of " + cells.length + " cells in a table of " + columns + " columns");
        }
        for (Object cell : cells) {
            text.append("| ").append(cell).append(' ');
        }
        text.append("|\n");
        return this;
    }

    @Override
    public String toString() {
        return text.toString();
    }
}
