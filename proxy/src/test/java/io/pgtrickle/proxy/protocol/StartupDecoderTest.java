package io.pgtrickle.proxy.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link StartupDecoder} on an {@link EmbeddedChannel}: the packets of the startup phase (no type byte)
 * come out whole however the bytes are cut, the special request codes are recognised, a TLS ClientHello
 * is passed on as direct TLS, and corrupt lengths fail without leaking.
 */
class StartupDecoderTest {
    static final int PROTOCOL_3_0 = 3 << 16;
    static final int PROTOCOL_3_2 = (3 << 16) | 2;

    /** A StartupMessage with the given protocol version and key/value parameters. */
    static byte[] startupMessage(int version, String... keyValues) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (String s : keyValues) {
            body.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            body.write(0);
        }
        body.write(0);
        return packet(version, body.toByteArray());
    }

    /** length (counting itself), code, payload. */
    static byte[] packet(int code, byte[] payload) {
        ByteBuf b = Unpooled.buffer();
        b.writeInt(8 + payload.length).writeInt(code).writeBytes(payload);
        byte[] out = ByteBufUtil.getBytes(b);
        b.release();
        return out;
    }

    static byte[] sslRequest() {
        return packet(StartupPacket.SSL_REQUEST, new byte[0]);
    }

    static byte[] gssencRequest() {
        return packet(StartupPacket.GSSENC_REQUEST, new byte[0]);
    }

    static byte[] cancelRequest(int pid, byte[] key) {
        ByteBuf b = Unpooled.buffer().writeInt(pid).writeBytes(key);
        byte[] payload = ByteBufUtil.getBytes(b);
        b.release();
        return packet(StartupPacket.CANCEL_REQUEST, payload);
    }

    private static final byte[] LIBPQ_LIKE = startupMessage(PROTOCOL_3_0, "user", "alice", "database", "shop",
            "application_name", "psql", "client_encoding", "UTF8", "options", "-c search_path=s1,public",
            "extra_float_digits", "3", "_pq_.some_option", "x");

    /** Every packet decoded from the pieces, as (code, bytes); all released, inputs released too. */
    private static List<Decoded> feed(List<ByteBuf> pieces) {
        EmbeddedChannel ch = new EmbeddedChannel(new StartupDecoder());
        List<Decoded> out = new ArrayList<>();
        for (ByteBuf piece : pieces) {
            ch.writeInbound(piece);
            for (Object o; (o = ch.readInbound()) != null; ) {
                StartupPacket p = (StartupPacket) o;
                out.add(new Decoded(p.code(), ByteBufUtil.getBytes(p.bytes()), p.directTls()));
                p.release();
            }
        }
        assertThat(ch.finish()).isFalse();
        for (int i = 0; i < pieces.size(); i++) {
            assertThat(pieces.get(i).refCnt()).as("input %d of %d released", i, pieces.size()).isZero();
        }
        return out;
    }

    record Decoded(int code, byte[] bytes, boolean directTls) {
    }

    @Test
    void aStartupMessageWithItsParametersInOrder() {
        EmbeddedChannel ch = new EmbeddedChannel(new StartupDecoder());
        ByteBuf in = Unpooled.wrappedBuffer(LIBPQ_LIKE);
        ch.writeInbound(in);
        StartupPacket p = ch.readInbound();
        assertThat(p.directTls()).isFalse();
        assertThat(p.code()).isEqualTo(PROTOCOL_3_0);
        assertThat(p.majorVersion()).isEqualTo(3);
        assertThat(p.minorVersion()).isZero();
        assertThat(p.parameters()).containsExactly(entry("user", "alice"), entry("database", "shop"),
                entry("application_name", "psql"), entry("client_encoding", "UTF8"),
                entry("options", "-c search_path=s1,public"), entry("extra_float_digits", "3"),
                entry("_pq_.some_option", "x"));
        // parameters() reads a duplicate: the packet is still whole, to be relayed as it came
        assertThat(ByteBufUtil.getBytes(p.bytes())).isEqualTo(LIBPQ_LIKE);
        assertThat(p.parameters()).hasSize(7);
        p.release();
        assertThat(ch.finish()).isFalse();
        assertThat(in.refCnt()).isZero();
    }

    @Test
    void protocol32AndUtf8Parameters() {
        byte[] msg = startupMessage(PROTOCOL_3_2, "user", "jürgen", "database", "données");
        List<Decoded> d = feed(List.of(Unpooled.wrappedBuffer(msg)));
        assertThat(d).hasSize(1);
        StartupPacket p = new StartupPacket(d.get(0).code(), Unpooled.wrappedBuffer(d.get(0).bytes()));
        assertThat(p.majorVersion()).isEqualTo(3);
        assertThat(p.minorVersion()).isEqualTo(2);
        assertThat(p.parameters()).containsExactly(entry("user", "jürgen"), entry("database", "données"));
        p.release();
    }

    @Test
    void aStartupMessageCutInTwoAtEveryByteBoundary() {
        for (int cut = 1; cut < LIBPQ_LIKE.length; cut++) {
            List<Decoded> d = feed(List.of(Unpooled.copiedBuffer(LIBPQ_LIKE, 0, cut),
                    Unpooled.copiedBuffer(LIBPQ_LIKE, cut, LIBPQ_LIKE.length - cut)));
            assertThat(d).as("cut at %d", cut).hasSize(1);
            assertThat(d.get(0).code()).isEqualTo(PROTOCOL_3_0);
            assertThat(d.get(0).bytes()).isEqualTo(LIBPQ_LIKE);
        }
    }

    @Test
    void oneByteAtATime() {
        List<ByteBuf> pieces = new ArrayList<>();
        for (byte b : LIBPQ_LIKE) {
            pieces.add(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        List<Decoded> d = feed(pieces);
        assertThat(d).hasSize(1);
        assertThat(d.get(0).bytes()).isEqualTo(LIBPQ_LIKE);
    }

    @Test
    void gssencThenSslRequestThenStartupInOneBufferAndCutAnywhere() {
        // psql with a Kerberos ticket: GSSENCRequest, then (after 'N') SSLRequest, then (after 'N') startup
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        all.writeBytes(gssencRequest());
        all.writeBytes(sslRequest());
        all.writeBytes(LIBPQ_LIKE);
        byte[] bytes = all.toByteArray();
        for (int cut = 0; cut < bytes.length; cut++) {
            List<ByteBuf> pieces = cut == 0 ? List.of(Unpooled.wrappedBuffer(bytes))
                    : List.of(Unpooled.copiedBuffer(bytes, 0, cut), Unpooled.copiedBuffer(bytes, cut, bytes.length - cut));
            List<Decoded> d = feed(pieces);
            assertThat(d).as("cut at %d", cut).extracting(Decoded::code)
                    .containsExactly(StartupPacket.GSSENC_REQUEST, StartupPacket.SSL_REQUEST, PROTOCOL_3_0);
            assertThat(d.get(0).bytes()).hasSize(8);
            assertThat(d.get(1).bytes()).hasSize(8);
        }
    }

    @Test
    void requestCodesAreThoseOfTheProtocolDocumentation() {
        assertThat(StartupPacket.SSL_REQUEST).isEqualTo((1234 << 16) | 5679);
        assertThat(StartupPacket.GSSENC_REQUEST).isEqualTo((1234 << 16) | 5680);
        assertThat(StartupPacket.CANCEL_REQUEST).isEqualTo((1234 << 16) | 5678);
        List<Decoded> d = feed(List.of(Unpooled.wrappedBuffer(sslRequest())));
        assertThat(d).singleElement().satisfies(x -> {
            assertThat(x.code()).isEqualTo(80877103);
            assertThat(x.directTls()).isFalse();
            assertThat(x.bytes()).containsExactly(0, 0, 0, 8, 0x04, (byte) 0xd2, 0x16, 0x2f);
        });
    }

    @Test
    void cancelRequestsOfProtocol30And32() {
        byte[] key4 = {1, 2, 3, 4};
        byte[] key32 = new byte[32];
        for (int i = 0; i < key32.length; i++) {
            key32[i] = (byte) (0xa0 + i);
        }
        byte[] c30 = cancelRequest(4711, key4);
        byte[] c32 = cancelRequest(4712, key32);
        assertThat(c30).hasSize(16);
        assertThat(c32).hasSize(44);
        List<Decoded> d = feed(List.of(Unpooled.wrappedBuffer(c30)));
        assertThat(d).singleElement().satisfies(x -> {
            assertThat(x.code()).isEqualTo(StartupPacket.CANCEL_REQUEST);
            assertThat(x.bytes()).isEqualTo(c30);
        });
        for (int cut = 1; cut < c32.length; cut++) {
            List<Decoded> e = feed(List.of(Unpooled.copiedBuffer(c32, 0, cut),
                    Unpooled.copiedBuffer(c32, cut, c32.length - cut)));
            assertThat(e).as("cut at %d", cut).singleElement().satisfies(x -> {
                assertThat(x.code()).isEqualTo(StartupPacket.CANCEL_REQUEST);
                assertThat(x.bytes()).isEqualTo(c32);
            });
        }
    }

    @Test
    void protocol2IsDecodedAsAPacketForTheHandlerToRefuse() {
        byte[] v2 = startupMessage(2 << 16, "user", "old");
        List<Decoded> d = feed(List.of(Unpooled.wrappedBuffer(v2)));
        assertThat(d).singleElement().satisfies(x -> {
            StartupPacket p = new StartupPacket(x.code(), null);
            assertThat(p.majorVersion()).isEqualTo(2);
            assertThat(p.minorVersion()).isZero();
        });
    }

    @Test
    void aTlsClientHelloIsPassedOnWholeAsDirectTls() {
        // TLS record header: handshake (0x16), version 3.1, length; then a ClientHello (type 1)
        byte[] hello = {0x16, 0x03, 0x01, 0x00, 0x2a, 0x01, 0x00, 0x00, 0x26, 0x03, 0x03, 9, 9, 9};
        EmbeddedChannel ch = new EmbeddedChannel(new StartupDecoder());
        ByteBuf in = Unpooled.wrappedBuffer(hello);
        ch.writeInbound(in);
        StartupPacket p = ch.readInbound();
        assertThat(p.directTls()).isTrue();
        assertThat(ByteBufUtil.getBytes(p.bytes())).isEqualTo(hello);
        p.release();
        assertThat(ch.finish()).isFalse();
        assertThat(in.refCnt()).isZero();
    }

    @Test
    void aSingleTlsByteIsEnoughToRecogniseDirectTls() {
        EmbeddedChannel ch = new EmbeddedChannel(new StartupDecoder());
        ByteBuf in = Unpooled.wrappedBuffer(new byte[] {0x16});
        ch.writeInbound(in);
        StartupPacket p = ch.readInbound();
        assertThat(p.directTls()).isTrue();
        assertThat(p.bytes().readableBytes()).isEqualTo(1);
        p.release();
        assertThat(ch.finish()).isFalse();
        assertThat(in.refCnt()).isZero();
    }

    @Test
    void fewerThanEightBytesWaitAndAreReleasedAtClose() {
        EmbeddedChannel ch = new EmbeddedChannel(new StartupDecoder());
        ByteBuf in = Unpooled.copiedBuffer(LIBPQ_LIKE, 0, 7);
        ch.writeInbound(in);
        assertThat((Object) ch.readInbound()).isNull();
        assertThat(ch.finish()).isFalse();
        assertThat(in.refCnt()).isZero();
    }

    @Test
    void lengthsBelowEightOrOverTheLimitAreCorrupt() {
        for (int length : new int[] {7, 4, 0, -8, StartupDecoder.MAX_STARTUP + 1, 1 << 30}) {
            EmbeddedChannel ch = new EmbeddedChannel(new StartupDecoder());
            ByteBuf in = Unpooled.buffer().writeInt(length).writeInt(PROTOCOL_3_0).writeBytes(new byte[16]);
            assertThatThrownBy(() -> ch.writeInbound(in)).as("length %d", length)
                    .isInstanceOf(CorruptedFrameException.class)
                    .hasMessageContaining("invalid startup packet length " + length);
            assertThat(in.refCnt()).as("length %d: input released", length).isZero();
            assertThat((Object) ch.readInbound()).isNull();
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void exactlyTheLimitIsAccepted() {
        byte[] payload = new byte[StartupDecoder.MAX_STARTUP - 8];
        List<Decoded> d = feed(List.of(Unpooled.wrappedBuffer(packet(PROTOCOL_3_0, payload))));
        assertThat(d).singleElement().satisfies(x -> assertThat(x.bytes()).hasSize(StartupDecoder.MAX_STARTUP));
    }

    @Test
    void anHttpRequestIsCorrupt() {
        EmbeddedChannel ch = new EmbeddedChannel(new StartupDecoder());
        ByteBuf in = Unpooled.copiedBuffer("GET / HTTP/1.1\r\n\r\n", StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> ch.writeInbound(in)).isInstanceOf(CorruptedFrameException.class);
        assertThat(in.refCnt()).isZero();
        ch.finishAndReleaseAll();
    }
}
