package io.pgtrickle.proxy;

/** Placeholder entry point; replaced by the command line. */
public final class ProxyMain {
    private ProxyMain() {
    }

    public static void main(String[] args) {
        System.out.println("pgtrickle-proxy");
    }
}
