package io.pgtrickle.proxy.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link FrameDecoder} on an {@link EmbeddedChannel}: messages come out whole however the bytes are cut,
 * in runs that own exactly one reference; a read that ends on a boundary is passed on in its own
 * buffer; corrupt lengths fail the stream and leak nothing.
 */
class FrameDecoderTest {

    /** A Query, a Sync (length 4, no body), a Bind with binary bytes and a DataRow, back to back. */
    private static byte[] stream() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(message('Q', "SELECT 1\0".getBytes(StandardCharsets.UTF_8)));
        out.writeBytes(message('S', new byte[0]));
        out.writeBytes(message('B', new byte[] {0, 0, 0, 1, 0, 1, 0, 0, 0, 4, (byte) 0xff, 0, 0x16, 'Q', 0, 0}));
        out.writeBytes(message('D', new byte[] {0, 1, 0, 0, 0, 2, 'h', 'i'}));
        return out.toByteArray();
    }

    private static final int[] TYPES = {'Q', 'S', 'B', 'D'};

    static byte[] message(char type, byte[] body) {
        byte[] m = new byte[5 + body.length];
        m[0] = (byte) type;
        int length = 4 + body.length;
        m[1] = (byte) (length >>> 24);
        m[2] = (byte) (length >>> 16);
        m[3] = (byte) (length >>> 8);
        m[4] = (byte) length;
        System.arraycopy(body, 0, m, 5, body.length);
        return m;
    }

    /** Writes the pieces in order, takes every frame out, checks and releases them. */
    private static List<byte[]> feed(List<ByteBuf> pieces) {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder());
        List<byte[]> frames = new ArrayList<>();
        for (ByteBuf piece : pieces) {
            ch.writeInbound(piece);
            frames.addAll(drain(ch));
        }
        assertThat(ch.finish()).as("nothing left over").isFalse();
        for (ByteBuf piece : pieces) {
            assertThat(piece.refCnt()).as("input buffer released").isZero();
        }
        return frames;
    }

    /** Takes every run out of the channel: each message's bytes, checked; the runs released. */
    static List<byte[]> drain(EmbeddedChannel ch) {
        List<byte[]> frames = new ArrayList<>();
        for (Object o; (o = ch.readInbound()) != null; ) {
            FrameRun run = (FrameRun) o;
            assertThat(run.size()).as("no empty runs").isPositive();
            assertThat(run.bytes().refCnt()).isEqualTo(1);
            for (int i = 0; i < run.size(); i++) {
                Frame f = run.frame(i);
                assertThat(f.type()).isEqualTo(run.type(i)).isEqualTo(f.bytes().getByte(f.bytes().readerIndex()));
                frames.add(ByteBufUtil.getBytes(f.bytes()));
                f.release();
            }
            run.release();
        }
        return frames;
    }

    private static List<byte[]> expectedFrames() {
        byte[] all = stream();
        List<byte[]> out = new ArrayList<>();
        int at = 0;
        while (at < all.length) {
            int length = ((all[at + 1] & 0xff) << 24) | ((all[at + 2] & 0xff) << 16) | ((all[at + 3] & 0xff) << 8)
                    | (all[at + 4] & 0xff);
            byte[] m = new byte[length + 1];
            System.arraycopy(all, at, m, 0, m.length);
            out.add(m);
            at += m.length;
        }
        return out;
    }

    @Test
    void severalFramesInOneBuffer() {
        List<byte[]> frames = feed(List.of(Unpooled.wrappedBuffer(stream())));
        assertThat(frames).hasSize(4);
        assertThat(frames).containsExactlyElementsOf(expectedFrames());
        for (int i = 0; i < TYPES.length; i++) {
            assertThat(frames.get(i)[0]).isEqualTo((byte) TYPES[i]);
        }
    }

    @Test
    void aStreamCutInTwoAtEveryByteBoundary() {
        byte[] all = stream();
        for (int cut = 1; cut < all.length; cut++) {
            ByteBuf a = Unpooled.copiedBuffer(all, 0, cut);
            ByteBuf b = Unpooled.copiedBuffer(all, cut, all.length - cut);
            assertThat(feed(List.of(a, b))).as("cut at %d", cut).containsExactlyElementsOf(expectedFrames());
        }
    }

    @Test
    void aStreamCutInThreeAtEveryPairOfBoundaries() {
        byte[] all = stream();
        for (int i = 1; i < all.length - 1; i++) {
            for (int j = i + 1; j < all.length; j++) {
                List<ByteBuf> pieces = List.of(Unpooled.copiedBuffer(all, 0, i), Unpooled.copiedBuffer(all, i, j - i),
                        Unpooled.copiedBuffer(all, j, all.length - j));
                assertThat(feed(pieces)).as("cut at %d and %d", i, j).containsExactlyElementsOf(expectedFrames());
            }
        }
    }

    @Test
    void oneByteAtATime() {
        byte[] all = stream();
        List<ByteBuf> pieces = new ArrayList<>();
        for (byte b : all) {
            pieces.add(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        assertThat(feed(pieces)).containsExactlyElementsOf(expectedFrames());
    }

    @Test
    void aMessageLargerThanTheFirstCarryBufferArrivesWholeFromManySmallReads() {
        byte[] body = new byte[300_000];
        new Random(7).nextBytes(body);
        byte[] big = message('d', body);
        byte[] sync = message('S', new byte[0]);
        byte[] all = new byte[big.length + sync.length];
        System.arraycopy(big, 0, all, 0, big.length);
        System.arraycopy(sync, 0, all, big.length, sync.length);
        List<ByteBuf> pieces = new ArrayList<>();
        for (int at = 0; at < all.length; at += 1000) {
            pieces.add(Unpooled.copiedBuffer(all, at, Math.min(1000, all.length - at)));
        }
        assertThat(feed(pieces)).containsExactly(big, sync);
    }

    @Test
    void completeMessagesBeforeACutOneArePassedOnInTheReadsOwnBuffer() {
        byte[] all = stream();
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder());
        ByteBuf first = Unpooled.copiedBuffer(all, 0, 20); // Query (14) and Sync (5), then 1 byte of the Bind
        ch.writeInbound(first);
        FrameRun run = ch.readInbound();
        assertThat(run.bytes()).isSameAs(first);
        assertThat(run.size()).isEqualTo(2);
        assertThat(run.bytes().readableBytes()).isEqualTo(19);
        run.release();
        ch.writeInbound(Unpooled.copiedBuffer(all, 20, all.length - 20));
        assertThat(drain(ch)).containsExactlyElementsOf(expectedFrames().subList(2, 4));
        assertThat(ch.finish()).isFalse();
        assertThat(first.refCnt()).isZero();
    }

    @Test
    void bodyIsTheMessageAfterTypeAndLength() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder());
        ByteBuf in = Unpooled.wrappedBuffer(message('Q', "SELECT 42\0".getBytes(StandardCharsets.UTF_8)));
        ch.writeInbound(in);
        FrameRun run = ch.readInbound();
        assertThat(run.bytes()).as("a read on a boundary is passed on in its own buffer").isSameAs(in);
        assertThat((char) run.bodyByte(0, 0)).isEqualTo('S');
        assertThat(run.mentions(0, "select")).isTrue();
        assertThat(run.mentions(0, "pgtrickle")).isFalse();
        Frame f = run.frame(0);
        run.release();
        assertThat((char) f.type()).isEqualTo('Q');
        assertThat(f.body().toString(StandardCharsets.UTF_8)).isEqualTo("SELECT 42\0");
        assertThat(Messages.queryText(f)).isEqualTo("SELECT 42");
        assertThat(f.toString()).isEqualTo("Frame[Q, 15 bytes]");
        f.release();
        assertThat(ch.finish()).isFalse();
        assertThat(in.refCnt()).isZero();
    }

    @Test
    void aPartialFrameAtCloseIsReleased() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder());
        byte[] all = stream();
        ByteBuf partial = Unpooled.copiedBuffer(all, 0, 17); // the whole Query (14 bytes) and part of the Sync
        ch.writeInbound(partial);
        List<byte[]> frames = drain(ch);
        assertThat(frames).hasSize(1);
        assertThat((char) frames.get(0)[0]).isEqualTo('Q');
        assertThat(ch.finish()).isFalse();
        assertThat(partial.refCnt()).isZero();
    }

    @Test
    void aLengthBelowFourIsACorruptStream() {
        for (int length : new int[] {3, 0, -1, Integer.MIN_VALUE}) {
            EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder());
            ByteBuf in = Unpooled.buffer().writeByte('Q').writeInt(length).writeBytes(new byte[20]);
            assertThatThrownBy(() -> ch.writeInbound(in)).isInstanceOf(CorruptedFrameException.class)
                    .hasMessageContaining("invalid message length " + length);
            assertThat(in.refCnt()).as("length %d: input released", length).isZero();
            assertThat((Object) ch.readInbound()).isNull();
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void aCorruptFrameAfterGoodOnesStillDeliversTheGoodOnes() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder());
        ByteBuf in = Unpooled.buffer().writeBytes(stream()).writeByte('X').writeInt(2);
        assertThatThrownBy(() -> ch.writeInbound(in)).isInstanceOf(CorruptedFrameException.class);
        assertThat(drain(ch)).containsExactlyElementsOf(expectedFrames());
        assertThat(in.refCnt()).isZero();
        ByteBuf later = Unpooled.wrappedBuffer(message('S', new byte[0]));
        ch.writeInbound(later);
        assertThat(drain(ch)).as("nothing after a corrupt length").isEmpty();
        assertThat(later.refCnt()).isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void anOversizedLengthFailsOnTheHeaderAloneBeforeTheBodyArrives() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(100));
        ByteBuf header = Unpooled.buffer().writeByte('d').writeInt(101);
        assertThatThrownBy(() -> ch.writeInbound(header)).isInstanceOf(TooLongFrameException.class)
                .hasMessageContaining("101").hasMessageContaining("100");
        assertThat(header.refCnt()).isZero();
        ch.finishAndReleaseAll();

        // exactly at the limit is fine
        EmbeddedChannel ok = new EmbeddedChannel(new FrameDecoder(100));
        ok.writeInbound(Unpooled.wrappedBuffer(message('d', new byte[96])));
        assertThat(drain(ok)).singleElement().satisfies(m -> assertThat(m).hasSize(101));
        assertThat(ok.finish()).isFalse();
    }

    @Test
    void theDefaultLimitIsPostgresqlsOneGigabyte() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder());
        ByteBuf header = Unpooled.buffer().writeByte('Q').writeInt((1 << 30) + 1);
        assertThatThrownBy(() -> ch.writeInbound(header)).isInstanceOf(TooLongFrameException.class);
        assertThat(header.refCnt()).isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void anHttpRequestIsRejected() {
        // "GET / HTTP/1.1": the length bytes read "ET /", far over the limit
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder());
        ByteBuf in = Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> ch.writeInbound(in)).isInstanceOf(DecoderException.class);
        assertThat(in.refCnt()).isZero();
        ch.finishAndReleaseAll();
    }

    @Test
    void randomGarbageNeverLeaksWhateverTheOutcome() {
        Random random = new Random(20240601L);
        for (int round = 0; round < 2000; round++) {
            byte[] garbage = new byte[1 + random.nextInt(64)];
            random.nextBytes(garbage);
            if (round % 3 == 0) {
                // plausible small lengths so that some frames do come out
                for (int k = 1; k < Math.min(4, garbage.length); k++) {
                    garbage[k] = 0;
                }
                if (garbage.length > 4) {
                    garbage[4] = (byte) random.nextInt(12);
                }
            }
            EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(1 << 16));
            List<ByteBuf> pieces = new ArrayList<>();
            int at = 0;
            while (at < garbage.length) {
                int n = 1 + random.nextInt(garbage.length - at);
                pieces.add(Unpooled.copiedBuffer(garbage, at, n));
                at += n;
            }
            for (ByteBuf piece : pieces) {
                try {
                    ch.writeInbound(piece);
                } catch (DecoderException expected) {
                    // a corrupt length: fine, as long as nothing leaks
                }
                for (byte[] m : drain(ch)) {
                    assertThat(m.length).isGreaterThanOrEqualTo(5);
                }
            }
            try {
                ch.finishAndReleaseAll();
            } catch (DecoderException expected) {
                // decodeLast may meet the same corrupt length
            }
            for (ByteBuf piece : pieces) {
                assertThat(piece.refCnt()).as("round %d: input released", round).isZero();
            }
        }
    }
}
