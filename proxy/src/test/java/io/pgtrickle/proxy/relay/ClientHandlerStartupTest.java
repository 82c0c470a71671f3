package io.pgtrickle.proxy.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.pgtrickle.proxy.ProxySettings;
import io.pgtrickle.proxy.UpstreamTarget;
import io.pgtrickle.proxy.intercept.Interceptor;
import io.pgtrickle.proxy.protocol.Frame;
import io.pgtrickle.proxy.protocol.Messages;
import io.pgtrickle.proxy.protocol.StartupDecoder;
import io.pgtrickle.proxy.protocol.StartupPacket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The startup phase of {@link ClientHandler} without a server, on an {@link EmbeddedChannel} with the
 * pipeline the server builds (StartupDecoder, then the handler): what a client is answered before any
 * upstream connection is made.
 */
class ClientHandlerStartupTest {
    /** An address nothing listens on: these tests must never get as far as connecting. */
    private static final UpstreamTarget NOWHERE = new UpstreamTarget("127.0.0.1", 1, UpstreamTarget.SslMode.DISABLE);

    private Interceptor interceptor;
    private EmbeddedChannel ch;

    @BeforeEach
    void pipeline() {
        interceptor = new Interceptor();
        ProxySettings settings = new ProxySettings(new InetSocketAddress("127.0.0.1", 0), NOWHERE, null, null);
        ch = new EmbeddedChannel();
        ch.pipeline().addLast(ClientHandler.DECODER, new StartupDecoder());
        ch.pipeline().addLast("client", new ClientHandler(settings, interceptor));
    }

    @AfterEach
    void close() {
        ch.finishAndReleaseAll();
        interceptor.close();
    }

    private static ByteBuf packet(int code, byte[] payload) {
        return Unpooled.buffer().writeInt(8 + payload.length).writeInt(code).writeBytes(payload);
    }

    private static ByteBuf startup(int version, String user) {
        byte[] kv = ("user\0" + user + "\0\0").getBytes(StandardCharsets.UTF_8);
        return packet(version, kv);
    }

    /** The single byte the proxy answered, and that the answer was all it sent. */
    private char oneByteAnswer() {
        ByteBuf out = ch.readOutbound();
        assertThat(out).as("an answer").isNotNull();
        try {
            assertThat(out.readableBytes()).isEqualTo(1);
            return (char) out.getByte(out.readerIndex());
        } finally {
            out.release();
        }
    }

    /** The ErrorResponse the proxy sent, as its fields. */
    private Map<Character, String> errorResponse() {
        ByteBuf out = ch.readOutbound();
        assertThat(out).as("an ErrorResponse").isNotNull();
        Frame f = new Frame(out.getByte(out.readerIndex()), out);
        try {
            assertThat((char) f.type()).isEqualTo('E');
            assertThat(out.getInt(out.readerIndex() + 1)).as("length").isEqualTo(out.readableBytes() - 1);
            assertThat(out.getByte(out.writerIndex() - 1)).as("terminator").isZero();
            return Messages.fields(f);
        } finally {
            f.release();
        }
    }

    @Test
    void sslRequestIsAnsweredNWithoutTlsAndTheConnectionStaysOpen() {
        ByteBuf in = packet(StartupPacket.SSL_REQUEST, new byte[0]);
        ch.writeInbound(in);
        assertThat(oneByteAnswer()).isEqualTo('N');
        assertThat(in.refCnt()).isZero();
        assertThat(ch.isOpen()).isTrue();
        assertThat((Object) ch.readOutbound()).isNull();
        assertThat(ch.pipeline().get(ClientHandler.DECODER)).as("still in the startup phase")
                .isInstanceOf(StartupDecoder.class);
    }

    @Test
    void gssencRequestIsAnsweredNAndTheNextFirstPacketIsRead() {
        ByteBuf gss = packet(StartupPacket.GSSENC_REQUEST, new byte[0]);
        ch.writeInbound(gss);
        assertThat(oneByteAnswer()).isEqualTo('N');
        assertThat(gss.refCnt()).isZero();
        // libpq's default order: GSSENCRequest, then SSLRequest on the same connection
        ByteBuf ssl = packet(StartupPacket.SSL_REQUEST, new byte[0]);
        ch.writeInbound(ssl);
        assertThat(oneByteAnswer()).isEqualTo('N');
        assertThat(ssl.refCnt()).isZero();
        assertThat(ch.isOpen()).isTrue();
    }

    @Test
    void bothRequestsInOneBufferGetTwoAnswers() {
        ByteBuf both = Unpooled.buffer().writeBytes(packet(StartupPacket.GSSENC_REQUEST, new byte[0]))
                .writeBytes(packet(StartupPacket.SSL_REQUEST, new byte[0]));
        ch.writeInbound(both);
        assertThat(oneByteAnswer()).isEqualTo('N');
        assertThat(oneByteAnswer()).isEqualTo('N');
        assertThat(both.refCnt()).isZero();
    }

    @Test
    void protocol2GetsAFatalErrorResponseAndTheConnectionCloses() {
        ByteBuf in = startup(2 << 16, "old");
        ch.writeInbound(in);
        Map<Character, String> fields = errorResponse();
        assertThat(fields).containsKeys('S', 'V', 'C', 'M');
        assertThat(fields.get('S')).isEqualTo("FATAL");
        assertThat(fields.get('V')).isEqualTo("FATAL");
        assertThat(fields.get('C')).isEqualTo("0A000");
        assertThat(fields.get('M')).contains("unsupported frontend protocol 2.0");
        assertThat(in.refCnt()).isZero();
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void protocol4IsRefusedTheSameWay() {
        ch.writeInbound(startup(4 << 16, "future"));
        Map<Character, String> fields = errorResponse();
        assertThat(fields.get('S')).isEqualTo("FATAL");
        assertThat(fields.get('C')).isEqualTo("0A000");
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void garbageGetsAFatalProtocolViolationAndTheConnectionCloses() {
        ByteBuf in = Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.US_ASCII);
        ch.writeInbound(in);
        Map<Character, String> fields = errorResponse();
        assertThat(fields.get('S')).isEqualTo("FATAL");
        assertThat(fields.get('V')).isEqualTo("FATAL");
        assertThat(fields.get('C')).isEqualTo("08P01");
        assertThat(fields.get('M')).contains("invalid startup packet length");
        assertThat(in.refCnt()).isZero();
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aDirectTlsHelloWithoutTlsConfiguredClosesAndLeaksNothing() {
        ByteBuf hello = Unpooled.wrappedBuffer(new byte[] {0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0, 0, 1, 0});
        ch.writeInbound(hello);
        ch.runPendingTasks();
        assertThat(ch.isOpen()).isFalse();
        assertThat(hello.refCnt()).isZero();
        // a TLS client could not read an ErrorResponse: closing is the only answer
        assertThat((Object) ch.readOutbound()).isNull();
    }
}
