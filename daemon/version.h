#ifndef ISMSD_VERSION_H
#define ISMSD_VERSION_H

#define ISMSD_VERSION "0.1.0"

#endif
