#ifndef KABAR_OUTPUT_H
#define KABAR_OUTPUT_H

/*
 * The two forms every page is written in: gemtext for Gemini, Gopher menus
 * and text for Gopher. The one enum for "which protocol" above the engine
 * (routes, pages, render, feeds, the page cache); the listeners' own
 * enum listen_proto (config.h) says which socket a connection came in on
 * and is to become this one.
 */
enum output { OUTPUT_GEMINI, OUTPUT_GOPHER };

#endif
