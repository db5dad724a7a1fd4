package dev.corral.host.cli;

public final class Main {
    public static void main(String[] args) {
    }
}
