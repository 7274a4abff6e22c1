#ifndef KABAR_OUTPUT_H
#define KABAR_OUTPUT_H

/*
 * Gemini or Gopher: the one enum for "which protocol", from the socket a
 * connection came in on (config.h's listen_addr, the listeners, conn) to the
 * form a page is written in: gemtext for Gemini, Gopher menus and text for
 * Gopher (routes, pages, render, feeds, the page cache). TLS is not a
 * protocol of its own: Gemini always has it, and a Gopher connection that
 * brings it is marked by the request's tls flag, not by a third value.
 */
enum output { OUTPUT_GEMINI, OUTPUT_GOPHER };

#endif
